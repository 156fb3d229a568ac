# Revues d'accès et changements de l'accès d'un invité.

review-refused-already-answered = Cet invité a déjà été revu.
review-refused-not-yours = Seul le parrain ou un réviseur répond pour cet invité.
review-refused-with-approvers = Le délai est passé : ce sont désormais les approbateurs qui décident.
review-refused-own-access = Un invité ne revoit pas son propre accès.

## Répondre pour un invité de la revue

review-no-such-item = Cet élément de la revue n'existe pas.
review-guest-gone = Cet invité n'existe plus.
review-nothing-to-review = La demande de { $who } est désormais { $state } : il n'y a rien à revoir.
review-answered-first = Quelqu'un a déjà répondu pour cet invité ; le message indique ce qui a été décidé.
review-changed-meanwhile = L'accès de { $who } a changé entre-temps (la demande est désormais { $state }) ; rien n'a été fait.
review-pick-new-end = Choisissez la nouvelle date de fin.
review-answered-first-form = Quelqu'un a déjà répondu pour cet invité.
review-changed-meanwhile-form = Cet accès a changé entre-temps (la demande est désormais { $state }) ; rien n'a été fait.

## Ce que fait une réponse, dans le fil de la fiche et pour le parrain

review-shortened-thread = :calendar: { $by } a raccourci l'accès de { $who } lors de la revue des accès #{ $campaign } ; nouvelle fin : { $ends }.
review-shortened-thread-deadline = :calendar: L'échéance de la revue des accès a raccourci l'accès de { $who } (revue des accès #{ $campaign }) ; nouvelle fin : { $ends }.
review-shortened-dm = { $by } a raccourci l'accès invité de { $who } (revue des accès #{ $campaign }) ; nouvelle fin : { $ends }.
review-shortened-dm-deadline = L'échéance de la revue des accès a raccourci l'accès invité de { $who } (revue des accès #{ $campaign }) ; nouvelle fin : { $ends }.
review-ended-thread = :lock: { $by } a mis fin à l'accès de { $who } lors de la revue des accès #{ $campaign }.
review-ended-thread-deadline = :lock: L'échéance de la revue des accès a mis fin à l'accès de { $who } (revue des accès #{ $campaign }).
review-ended-unanswered-thread = :lock: Personne n'a répondu pour { $who } avant l'échéance de la revue des accès #{ $campaign } : l'accès prend donc fin (review.outcome = end).

## Lancer une revue depuis l'onglet Accueil

review-only-reviewers-start = Seuls les réviseurs peuvent lancer une revue des accès.
review-started = Revue des accès #{ $campaign } lancée : { $guests ->
    [one] { $guests } invité
   *[other] { $guests } invités
}, { $sponsors ->
    [one] { $sponsors } parrain sollicité
   *[other] { $sponsors } parrains sollicités
} par message privé ; date limite de réponse : { $deadline }.
review-already-open = La revue des accès #{ $campaign } est encore en cours (date limite de réponse : { $deadline }) ; une seule à la fois.
review-no-guests = Il n'y a aucun invité actif à revoir.

## Le message privé du parrain et le message des approbateurs

review-scope-all = tous les invités
review-scope-domain = invités de { $domain }
review-scope-channel = invités du canal { $channel }
review-scope-domain-channel = invités de { $domain } dans le canal { $channel }
review-dm-intro = :mag: *Revue des accès #{ $campaign }* : vous êtes le parrain de ces invités. Ont-ils toujours besoin de leur accès ? Date limite de réponse : { $deadline } ; passé ce délai, { $outcome ->
    [end] leur accès prendra fin
    [keep] leur accès restera tel quel
   *[escalate] les approbateurs décideront
}.
review-approvers-intro = :raised_hand: *Revue des accès #{ $campaign }* ({ $scope }) : personne n'a répondu pour ces invités avant l'échéance, ou ils n'ont pas de parrain. Les approbateurs décident : conserver, raccourcir ou mettre fin à chaque accès.
review-all-answered = Revue des accès #{ $campaign } : toutes les réponses sont données, merci.
review-to-answer = Revue des accès #{ $campaign } : { $open ->
    [one] { $open } invité à revoir
   *[other] { $open } invités à revoir
} avant le { $deadline }.
review-guest = *{ $name }* · { $email } · { $kind }
    { $channels } · fin : { $ends }
review-keep-until = Conserver jusqu'au { $date }
review-keep-no-end = Conserver (sans date de fin)
review-button-shorten = Raccourcir…
review-button-end = Mettre fin
review-end-title = Mettre fin à cet accès ?
review-end-text = Le compte invité de *{ $name }* est désactivé immédiatement.
review-end-yes = Mettre fin à l'accès
review-kept = :white_check_mark: Conservé
review-kept-by = :white_check_mark: Conservé par { $by }
review-shortened = :calendar: Raccourci ; nouvelle fin : { $ends }
review-shortened-by = :calendar: Raccourci par { $by } ; nouvelle fin : { $ends }
review-ended = :lock: Accès terminé
review-ended-by = :lock: Accès terminé par { $by }
review-kept-unanswered = :information_source: Sans réponse avant l'échéance : conservé
review-ended-unanswered = :lock: Sans réponse avant l'échéance : accès terminé
review-gone = :heavy_minus_sign: Accès terminé ou modifié avant la revue
review-escalated = :raised_hand: Sans réponse à temps : les approbateurs décident

## Le message de suivi dans le canal des demandes

review-progress-open = :mag: *Revue des accès #{ $campaign }* ({ $scope }) · date limite de réponse : { $deadline }
review-progress-over = :checkered_flag: *Revue des accès #{ $campaign }* ({ $scope }) terminée
review-progress-counts = { $reviewed } sur { $total } { $reviewed ->
    [one] revu
   *[other] revus
} · { $ended ->
    [one] { $ended } terminé
   *[other] { $ended } terminés
} · { $waiting } en attente
review-progress-escalated = { $count } chez les approbateurs
review-progress-shortened = { $count ->
    [one] { $count } raccourci
   *[other] { $count } raccourcis
}
review-progress-ended-unanswered = { $count ->
    [one] { $count } terminé faute de réponse
   *[other] { $count } terminés faute de réponse
}
review-progress-gone = { $count ->
    [one] { $count } terminé avant la revue
   *[other] { $count } terminés avant la revue
}
review-progress-fallback = Revue des accès #{ $campaign } : { $counts }

## Le formulaire Raccourcir

review-shorten-title = Raccourcir l'accès
review-shorten-guest = *{ $name }* ({ $email }) · fin actuelle : { $ends }
review-no-end-date = sans date de fin
review-shorten-date = Nouvelle date de fin
review-shorten-hint = Avant la fin actuelle. À 17:00 dans votre fuseau horaire ({ $tz }).
review-shorten-submit = Raccourcir

## Modifier l'accès… : le formulaire

change-title = Modifier l'accès
change-guest = *{ $name }* ({ $email }) · { $kind } · parrain { $sponsor }
    Retirer des canaux ou avancer la fin s'applique immédiatement. Plus de canaux ou une fin plus tardive passent par les approbateurs, comme une nouvelle demande.
change-channels = Canaux
change-ends-on = Fin de l'accès le
change-ends-hint = À 17:00 dans votre fuseau horaire ({ $tz }). Laissez vide pour garder la fin actuelle.
change-why = Motif
change-submit = Modifier

## Modifier l'accès… : refus et erreurs du formulaire

change-not-active = La demande { $id } est { $state } ; seul l'accès d'un invité actif peut être modifié.
change-not-approver = Seuls les approbateurs des canaux de cet invité peuvent modifier son accès.
change-stale = La demande { $id } a changé depuis l'ouverture de ce formulaire (elle est désormais { $state }) ; rouvrez-le.
change-no-channel = Un invité doit avoir au moins un canal ; pour mettre fin à l'accès, utilisez Révoquer.
change-one-channel = Un invité monocanal a exactement un canal.
change-pick-date = Choisissez une date.
change-no-reason = Indiquez pourquoi l'accès change.
change-nothing = Rien n'a changé.
change-one-at-a-time = Demandez plus de canaux et une fin plus tardive séparément : chaque demande passe seule par les approbateurs.
change-extension-waiting = Une prolongation pour cet invité attend déjà les approbateurs ; faites-la décider d'abord.
change-end-moved = La date de fin a changé entre-temps ; rouvrez le formulaire.

## Modifier l'accès… : ce qui se passe

change-widen-waiting = Votre demande *{ $id }* d'élargir l'accès de *{ $name }* attend un approbateur.
change-done-channels = :pencil2: { $by } a modifié l'accès de { $who } : l'a retiré de { $removed }.
change-done-end = :pencil2: { $by } a modifié l'accès de { $who } : a avancé la fin (nouvelle fin : { $ends }).
change-done-channels-and-end = :pencil2: { $by } a modifié l'accès de { $who } : l'a retiré de { $removed } et a avancé la fin (nouvelle fin : { $ends }).
change-channels-now = :busts_in_silhouette: Les canaux de { $who } sont désormais { $channels }.
change-task-add = ajoutez l'invité à { $add }
change-task-remove = retirez l'invité de { $remove }
change-task-add-and-remove = ajoutez l'invité à { $add } et retirez-le de { $remove }
change-admin-task = :wrench: Tâche d'administration : dans Slack, { $what } (compte { $account }). Guestlist enregistre les canaux : { $channels }.
change-channels-refused = :warning: Guestlist n'a pas modifié les canaux de { $who } : { $why }.
change-channels-failed = :warning: Les canaux de { $who } n'ont pas été modifiés : { $problem }
change-refusal-unbound = aucun compte n'est lié à cette demande
change-refusal-full-member = c'est un membre à part entière
change-refusal-id-mismatch = l'annuaire a répondu pour { $answered }, et non pour { $asked }
change-refusal-not-found = l'annuaire ne connaît plus ce compte
change-refusal-not-ours = c'est un compte désactivé que Guestlist n'a pas créé
change-refusal-deactivated = il est désactivé
