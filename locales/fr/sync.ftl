# Synchronisation des groupes et import CSV.

sync-why-in-target = déjà dans l'espace de travail cible ; pas d'invitation
sync-why-not-invited = dans la source, pas encore d'invitation
sync-why-held-this-rule = déjà { $state } (par cette règle)
sync-why-held-other-rule = déjà { $state } (par la règle { $rule })
sync-why-held-request = déjà { $state } (par une demande)
sync-why-wanted-elsewhere = a quitté la source, toujours voulu par la règle { $rule }
sync-why-left-kept = a quitté la source ; conservé (on_removal = keep)
sync-why-left-in-use = a quitté la source ; le compte est utilisé (on_removal = revoke_pending)
sync-why-left-withdrawn = a quitté la source ; invitation retirée
sync-why-left-ended = a quitté la source ; accès terminé
