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

# Un plan sous forme de tableau (CLI et blocs de code Slack).
sync-table-rule = RÈGLE
sync-table-action = ACTION
sync-table-email = E-MAIL
sync-table-reason = MOTIF
sync-action-invite = inviter
sync-action-revoke = révoquer
sync-action-unchanged = inchangé
sync-action-already-member = déjà membre
sync-more-lines = … et { $count } { $count ->
        [one] autre ligne
       *[other] autres lignes
    }
sync-plan-counts = { $rule } : { $invite } à inviter, { $revoke } à révoquer, { $unchanged } { $unchanged ->
        [one] inchangé
       *[other] inchangés
    }, { $members } déjà { $members ->
        [one] membre
       *[other] membres
    }

# Ce qu'une exécution publie, et les plans retenus par le garde-fou.
sync-summary = :arrows_counterclockwise: Synchronisation des groupes *{ $rule }* : { $invited } { $invited ->
        [one] invité
       *[other] invités
    }, { $revoked } { $revoked ->
        [one] révoqué
       *[other] révoqués
    }, { $unchanged } { $unchanged ->
        [one] inchangé
       *[other] inchangés
    }, { $members } déjà { $members ->
        [one] membre
       *[other] membres
    }.
sync-held = :raised_hand: La synchronisation des groupes *{ $rule }* ferait { $changes } { $changes ->
        [one] modification
       *[other] modifications
    }, au-delà de sa limite de { $limit } : rien n'a donc été appliqué. { $mentions } Vérifiez le plan et appliquez-le s'il est correct.
sync-held-apply = Appliquer quand même
sync-held-confirm-title = Appliquer ce plan ?
sync-held-confirm-text = { $changes ->
        [one] { $changes } invitation ou révocation va être effectuée maintenant.
       *[other] { $changes } invitations et révocations vont être effectuées maintenant.
    }
sync-held-confirm-yes = Appliquer
sync-apply-not-allowed = Seuls les approbateurs qui approuvent toutes les demandes peuvent appliquer un plan de synchronisation.
sync-applying-held = Application du plan de synchronisation { $plan_id } ; le résumé suivra ici.

# `/guest sync preview|now` : la progression, puis le résultat.
sync-preview-title = Aperçu de la synchronisation
sync-run-title = Synchronisation
sync-progress-directory = :hourglass_flowing_sand: *{ $what }* : lecture de l'annuaire ({ $people } { $people ->
        [one] personne
       *[other] personnes
    } sur { $pages } { $pages ->
        [one] page
       *[other] pages
    } jusqu'ici)…
sync-progress-applying = :hourglass_flowing_sand: *{ $what }*, règle *{ $rule }* : { $done } { $done ->
        [one] invitation enregistrée
       *[other] invitations enregistrées
    } sur { $total }…
sync-no-rules = Aucune règle de synchronisation n'est configurée (`[[sync]]` dans guestlist.toml).
sync-outcome-preview = *Aperçu de la synchronisation* (rien n'a été modifié) :
sync-outcome-run = *Synchronisation* :
sync-outcome-held = :raised_hand: *{ $rule }* : { $changes } { $changes ->
        [one] modification dépasse
       *[other] modifications dépassent
    } la limite de { $limit } ; le plan attend un approbateur.

# Import CSV.
import-help = *Importer des invités depuis un fichier CSV*
    Partagez le fichier dans { $place } ; je réponds dans son fil avec un aperçu (lignes valides, lignes que je ne peux pas importer et pourquoi, doublons) et un bouton *Importer*. Rien n'est créé avant que vous ne cliquiez dessus.
    La première ligne nomme les colonnes, dans n'importe quel ordre :
    ```{ $header }```
    • `email`, `name`, `guest_type` (`single_channel` ou `multi_channel`), `channels` (noms ou identifiants, séparés par `;`) et `expires` (`30d`, `2027-03-31`, `2027-03-31T17:00:00Z` ou `never`) sont obligatoires.
    • `organisation`, `sponsor` (un identifiant d'utilisateur ou une adresse e-mail ; vous par défaut) et `phone` (au format E.164, par exemple `+14155550100`) sont facultatifs.
    Depuis un terminal : `guestlist import FILE --dry-run`.
import-help-request-channel = le canal des demandes
import-table-line = ligne
import-table-import = importer
import-table-invalid = invalide
import-table-duplicate = doublon
import-table-sponsor = parrain { $sponsor }
import-expiry-after-days = { $days } { $days ->
        [one] jour
       *[other] jours
    } après l'approbation
import-expiry-until = jusqu'au { $at }
import-expiry-never = sans fin
import-more-lines = … et { $count } { $count ->
        [one] autre ligne
       *[other] autres lignes
    }
import-counts = { $rows } { $rows ->
        [one] ligne
       *[other] lignes
    } : { $valid } à importer, { $invalid } { $invalid ->
        [one] invalide
       *[other] invalides
    }, { $duplicates } { $duplicates ->
        [one] doublon
       *[other] doublons
    }
import-preview = :clipboard: *Aperçu de l'import* de `{ $file }` — { $counts }. Rien n'a encore été créé.
import-confirmed-by = Import confirmé par { $who }.
import-button = Importer { $count } { $count ->
        [one] invité
       *[other] invités
    }
import-confirm-text = { $count ->
        [one] { $count } demande approuvée va être créée, avec vous comme approbateur, et l'invitation envoyée.
       *[other] { $count } demandes approuvées vont être créées, avec vous comme approbateur, et les invitations envoyées.
    } Les lignes écartées ne sont pas importées.
import-confirm-yes = Importer
import-refused = :warning: Je ne peux pas importer `{ $file }` : { $reason } Rien n'a été créé.
import-progress = :hourglass_flowing_sand: { $who } importe `{ $file }` : { $done } { $done ->
        [one] ligne traitée
       *[other] lignes traitées
    } sur { $total }.
import-done = :white_check_mark: { $who } a importé { $count } { $count ->
        [one] invité
       *[other] invités
    } depuis `{ $file }` ; les invitations partent par la file d'attente habituelle.
import-done-skipped = { $count ->
        [one] { $count } ligne a été ignorée : son adresse e-mail a été prise entre-temps, depuis l'aperçu.
       *[other] { $count } lignes ont été ignorées : leurs adresses e-mail ont été prises entre-temps, depuis l'aperçu.
    }
import-done-left-out = { $count ->
        [one] { $count } ligne a été écartée (voir l'aperçu).
       *[other] { $count } lignes ont été écartées (voir l'aperçu).
    }
import-changed = :warning: `{ $file }` a changé depuis son aperçu : rien n'a donc été importé. Partagez-le à nouveau pour obtenir un nouvel aperçu.
import-not-allowed-file = Seuls les approbateurs dont le rôle a le droit `import` peuvent importer des invités depuis un fichier CSV. Pour demander un seul invité, lancez `/guest`.
import-not-allowed = Seuls les approbateurs dont le rôle a le droit `import` peuvent importer des invités.
import-requested = Import demandé ; la progression s'affiche dans le fil.
