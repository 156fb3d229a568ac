# Revues d'accès et changements de l'accès d'un invité.

review-refused-already-answered = Cet invité a déjà été revu.
review-refused-not-yours = Seul le parrain ou un réviseur répond pour cet invité.
review-refused-with-approvers = Le délai est passé : ce sont désormais les approbateurs qui décident.
review-refused-own-access = Un invité ne revoit pas son propre accès.
