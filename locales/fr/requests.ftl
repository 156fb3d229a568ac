# Les demandes : le formulaire, la fiche, les décisions, les votes, les rappels, `/guest`. Chaque clé
# existe aussi dans en/requests.ftl.

state = { $state ->
    [pending] en attente d'approbation
    [approved] approuvée
    [denied] refusée
    [cancelled] annulée
    [invited] invitation envoyée
    [active] active
    [invite_expired] invitation expirée
    [expired] expirée
    [revoked] révoquée
    [already_member] déjà membre à part entière
    [lapsed] expirée sans décision
   *[ended_outside] terminée en dehors de Guestlist
}
guest-type = { $kind ->
    [single_channel] Invité monocanal
    [multi_channel] Invité multicanal
   *[member] Membre à part entière
}

expiry-after-days = { $days ->
    [one] un jour après l'approbation
   *[other] { $days } jours après l'approbation
}
expiry-never = Jamais

status-pending-quorum = :hourglass_flowing_sand: En attente de { $count } approbations
status-pending = :hourglass_flowing_sand: En attente d'un approbateur
status-approved-auto = :white_check_mark: Approuvée automatiquement par la règle *{ $rule }* · { $when }
status-approved = :white_check_mark: Approuvée par { $by } · { $when }
status-denied = :no_entry: Refusée par { $by } · { $when }
status-lapsed = :hourglass: Expirée sans décision : personne n'a tranché à temps · { $when }
status-cancelled = :no_entry_sign: Annulée par le demandeur · { $when }
status-invited = :incoming_envelope: Invitation envoyée · { $when }
status-invited-lapses = :incoming_envelope: Invitation envoyée · { $when } · expiration : { $lapses }
status-active = :large_green_circle: Compte invité actif
status-invite-expired = :hourglass: L'invitation a expiré sans avoir été acceptée
status-expired = :lock: Le compte a pris fin · { $when }
status-revoked = :lock: Accès révoqué par { $by } · { $when }
status-already-member = :no_entry: Clôturée : cette adresse e-mail appartient à un membre à part entière de l'espace de travail, dont Guestlist ne modifie jamais le compte · { $when }
status-ended-outside = :lock: Accès terminé en dehors de Guestlist : le compte a été désactivé dans Slack · constaté { $when }

word-or = ou

request-unknown-command = Guestlist ne gère pas `{ $command }`. Essayez `/guest help`.
request-unknown-subcommand = Je ne connais pas `/guest { $sub }`.
request-none-yet = Vous n'avez encore demandé aucun invité. Lancez `/guest` pour commencer.
request-which = Quelle demande ? Par exemple `{ $example }`.
request-import-not-allowed = Seuls les approbateurs dont le rôle a le droit `import` peuvent importer des invités. Pour demander un invité, lancez `/guest`.
request-sync-usage = Utilisez `/guest sync preview` pour voir ce que changerait la synchronisation des groupes, ou `/guest sync now` pour la lancer.
request-sync-not-allowed = Seuls les approbateurs dont le rôle a le droit `sync` peuvent lancer la synchronisation des groupes.
request-no-sync-rules = Aucune règle de synchronisation n'est configurée (`[[sync]]` dans guestlist.toml).
request-sync-running = Synchronisation des groupes en cours ; le résultat s'affichera ici.
request-sync-previewing = Calcul de ce que changerait la synchronisation des groupes ; le plan s'affichera ici.
request-not-yours = Vous n'avez pas accès à la demande { $id }.

refusal-own-request = Vous ne pouvez pas trancher votre propre demande ({ $id }) : un autre approbateur doit s'en charger.
refusal-not-an-approver = Seuls les approbateurs peuvent trancher les demandes d'invité ; { $id } en attend toujours un.
refusal-not-allowed = Aucun de vos rôles ne vous permet { $right ->
    [request] de faire
    [decide] de trancher
    [revoke] de mettre fin aux accès issus
    [convert] de convertir les invités issus
    [import] d'importer
    [sync] de lancer la synchronisation des groupes pour
   *[review] de passer en revue
} des demandes d'invité comme { $id }.
refusal-outside-scope = Vous ne pouvez { $right ->
    [request] faire que des demandes
    [decide] trancher que des demandes
    [revoke] mettre fin qu'aux accès issus de demandes
    [convert] convertir que les invités issus de demandes
    [import] importer que des demandes
    [sync] lancer la synchronisation des groupes que pour des demandes
   *[review] passer en revue que des demandes
} portant sur vos propres canaux ; { $id } demande aussi { $channels }.
request-not-allowed = Aucun de vos rôles ne vous permet de demander des comptes invités ; adressez-vous aux personnes qui gèrent Guestlist.
request-only-members-of = Seuls les membres de { $groups } peuvent demander des comptes invités.

request-was-cancelled = La demande { $id } a été annulée par le demandeur.
request-already-denied = La demande { $id } a déjà été refusée par { $by } ({ $at }).
request-already-denied-anon = La demande { $id } a déjà été refusée ({ $at }).
request-already-lapsed = La demande { $id } a expiré sans décision : personne ne l'a tranchée à temps. Le demandeur peut la refaire.
request-still-waiting = La demande { $id } attend toujours une décision.
request-already-approved = La demande { $id } a déjà été approuvée par { $by } ({ $at }). État actuel : { $state }.
request-already-approved-anon = La demande { $id } a déjà été approuvée ({ $at }). État actuel : { $state }.
request-changed-while-open = Un autre approbateur a modifié la demande { $id } pendant que ce formulaire était ouvert. Fermez-le et regardez de nouveau la fiche.
request-deny-reason-missing = Indiquez le motif, pour que le demandeur sache quoi changer.
request-extension-as-asked = La demande { $id } prolonge un compte ; approuvez-la ou refusez-la telle quelle.
request-only-requester-again = Seule la personne qui a fait la demande { $id } peut la refaire.
request-lapsed-note = Personne n'a tranché à temps : la demande a donc expiré sans décision.
request-only-requester-cancel = Seule la personne qui a fait la demande { $id } peut l'annuler.
request-cannot-cancel = La demande { $id } ne peut plus être annulée (état : { $state }).
request-cancelled-by = :no_entry_sign: Annulée par { $actor }.
request-decided-in-slack = :information_source: Un administrateur a traité cette demande d'invitation dans la page d'administration de Slack avant nous ; Guestlist n'a rien envoyé.
request-decided-in-slack-dm = :information_source: Votre demande { $id } pour { $guest } a été traitée par un administrateur dans Slack même ; Slack vous en donne l'issue.
request-cancelled = La demande { $id } est annulée.

request-approved-with-changes = :pencil2: { $voter } a approuvé avec des modifications : { $changes }. Les approbations données avant la modification ne comptent plus.
request-changed-yours = { $voter } a modifié votre demande *{ $id }* pour *{ $guest }* avant de l'approuver : { $changes }.
request-already-voted = Vous avez déjà voté sur la demande { $id } pendant ce tour ; c'est maintenant à quelqu'un d'autre de se prononcer.
request-changed-since-opened = Un approbateur a modifié la demande { $id } depuis que vous l'avez ouverte ; regardez de nouveau la fiche.
request-parent-ended = Le compte invité que { $id } devait prolonger a pris fin : il n'y a plus rien à prolonger.
request-approval-counted = Votre approbation de la demande { $id } est prise en compte : { $count } sur { $needed }.
request-denial-counted = Votre refus de la demande { $id } est pris en compte : { $count } sur les { $needed } nécessaires pour la refuser.
request-still-needs-roles = Il manque encore un approbateur pour chacun de ces rôles : { $roles }.
request-vote-counted = Votre vote sur la demande { $id } est pris en compte.
request-approved-thread = :white_check_mark: Approuvée par { $by }.
request-approved-changed-thread = :white_check_mark: Approuvée par { $by } avec des modifications : { $changes }.
request-denied-thread = :no_entry: Refusée par { $by }.
request-approved-dm = Votre demande *{ $id }* pour *{ $guest }* a été approuvée par { $by }. L'invitation va suivre ; je vous tiens au courant.
request-approved-changed-dm = Votre demande *{ $id }* pour *{ $guest }* a été approuvée par { $by } avec des modifications : { $changes }. L'invitation va suivre ; je vous tiens au courant.
request-denied-dm = Votre demande *{ $id }* pour *{ $guest }* a été refusée par { $by }.
request-an-approver = un approbateur
request-an-approver-capital = un approbateur
request-workspace-admins = les administrateurs de l'espace de travail

request-stale-reminder = :alarm_clock: La demande { $id } attend une décision depuis { $hours ->
    [one] une heure
   *[other] { $hours } heures
}. Elle peut être approuvée ou refusée ci-dessus par { $who }.
request-lapses-unless = Date limite : { $at } ; passé ce délai, elle expirera sans décision.
request-escalated = :rotating_light: La demande { $id } attend une décision depuis { $waited }.
request-escalated-ask = :rotating_light: La demande { $id } attend une décision depuis { $waited }. { $group }, pouvez-vous la trancher ?
request-lapsed-thread = :hourglass: Personne n'a tranché en { $waited } — la demande { $id } a expiré sans décision.
request-lapsed-dm = Votre demande *{ $id }* pour *{ $guest }* a expiré sans décision : personne n'a tranché en { $waited }. Si l'invité a toujours besoin d'un accès, refaites la demande.

request-already-full-member = { $email } est déjà membre à part entière de cet espace de travail. L'accès invité est réservé aux personnes extérieures.
request-already-has = { $email } a déjà { $state ->
    [pending] une demande en attente d'approbation
    [approved] une demande approuvée
    [invited] une demande approuvée
   *[other] un compte invité actif
} ({ $id }, à la demande de { $requester }, le { $at }).
request-waiting-dm = Votre demande *{ $id }* pour *{ $guest }* ({ $email }) attend un approbateur. Je vous préviendrai ici dès qu'elle sera tranchée.
request-auto-approved-dm = Votre demande *{ $id }* pour *{ $guest }* ({ $email }) a été approuvée automatiquement par la règle *{ $rule }*. L'invitation va suivre ; je vous tiens au courant.

card-title-guest = Demande d'invité { $id }
card-fallback = { $title } : { $guest } ({ $email }) — { $state }
card-title-extension = Demande de prolongation { $id } pour { $parent }
card-asks-guest = { $requester } demande un compte *{ $kind ->
    [single_channel] invité monocanal
    [multi_channel] invité multicanal
   *[other] membre à part entière
}*
card-asks-extension = { $requester } demande la prolongation de ce compte invité
card-asks-channels = { $requester } demande d'ajouter ces canaux à cet invité (la date de fin ne change pas)
card-source = { $source ->
    [import] (import CSV)
    [sync] (règle de synchronisation des groupes *{ $rule }*)
    [invite_link] (via le lien d'invitation du parrain)
    [self_registration] (auto-inscription)
    [invite_request] (demandée dans la fenêtre « Inviter des personnes » de Slack)
    [adopted] (invité existant, pris en charge)
   *[other] {""}
}
card-guest = Invité
card-organisation = Organisation
card-type = Type
card-channels = Canaux
card-expires = Fin
card-requested-by = Demandée par
card-reason = Motif
card-changed-by-approver = Modifiée par un approbateur :
button-approve = Approuver
button-approve-with-changes = Approuver avec modifications
button-deny = Refuser
button-revoke-access = Révoquer l'accès
button-resend-invitation = Renvoyer l'invitation
button-make-member = Rendre membre à part entière
button-change-access = Modifier l'accès…
confirm-revoke-title = Révoquer l'accès ?
confirm-revoke-text = { $who } perd son accès immédiatement.
confirm-revoke-yes = Révoquer
confirm-member-title = En faire un membre à part entière ?
confirm-member-text = { $who } devient membre à part entière de l'espace de travail et son compte ne prendra plus fin.
confirm-member-yes = Rendre membre

progress-none-yet = 0 approbation sur { $needed }
progress-approvals = { $count } sur { $needed } { $needed ->
    [one] approbation requise
   *[other] approbations requises
} : { $who }
progress-missing-roles = il manque encore une approbation pour chacun de ces rôles : { $roles }
progress-denials = { $count } sur { $needed } { $needed ->
    [one] refus requis
   *[other] refus requis
} pour la refuser
progress-restarted = décompte repris à zéro après une modification
progress-lapses = date limite : { $at } ({ $relative })

terms-never = jamais
terms-channels = canaux : { $from } → { $to }
terms-type = type : { $from } → { $to }
terms-ends = fin : { $from } → { $to }

form-title = Demander un invité
form-submit = Envoyer la demande
form-email = E-mail de l'invité
form-email-placeholder = nom@partenaire.fr
form-name = Nom complet
form-name-placeholder = Marie Curie
form-organisation = Organisation
form-organisation-placeholder = Partenaire SA
form-reason = Pourquoi cette personne a-t-elle besoin d'un accès ?
form-reason-placeholder = Sur quoi elle va travailler, et avec qui
form-guest-type = Type d'invité
form-type-option = { $kind ->
    [single_channel] Invité monocanal (un seul canal)
    [multi_channel] Invité multicanal (un ou plusieurs canaux)
   *[other] Membre à part entière
}
form-channels = Canaux
form-channels-hint = Un invité monocanal a accès à un seul canal, exactement.
form-channels-placeholder = Choisissez les canaux
form-ends = Fin du compte
form-ends-after-days = Après un nombre de jours (à compter de l'approbation)
form-ends-on-date = À une date et une heure
form-ends-never = Jamais
form-ends-never-as-asked = Jamais (comme demandé)
form-days = Jours
form-date = Date
form-time = Heure
form-hint-max = { $days } jours au maximum à partir d'aujourd'hui. Les dates et heures sont dans votre fuseau horaire ({ $tz }).
form-hint-zone = Les dates et heures sont dans votre fuseau horaire ({ $tz }).
form-again = Vous avez déjà fait cette demande ({ $id }). Modifiez ce qui doit l'être et renvoyez-la.
form-again-note = Vous avez déjà fait cette demande ({ $id }). Elle s'est terminée avec cette note :
    { $note }
    Modifiez ce qui doit l'être et renvoyez-la.
button-back = Retour
button-done = Terminé

changes-title = Approuver en modifiant
changes-intro = Demande { $id } : *{ $guest }* ({ $email }), à la demande de { $requester }. Restreignez ce que vous approuvez : retirez des canaux, faites d'un invité multicanal un invité monocanal, ou avancez la fin du compte. Pour obtenir davantage, il faut une nouvelle demande.
changes-restarts-count = Toute modification remet à zéro le décompte des approbations : les approbateurs précédents ont approuvé autre chose.

form-sent-title = Demande envoyée
form-sent-auto-in = La demande *{ $id }* pour *{ $email }* a été approuvée automatiquement par la règle *{ $rule }* dans { $channel }.
    Vous recevrez un message privé quand l'invitation sera envoyée.
form-sent-auto = La demande *{ $id }* pour *{ $email }* a été approuvée automatiquement par la règle *{ $rule }*.
    Vous recevrez un message privé quand l'invitation sera envoyée.
form-sent-waiting-in = La demande *{ $id }* pour *{ $email }* attend un approbateur dans { $channel }.
    Vous recevrez un message privé dès qu'elle sera tranchée.
form-sent-waiting = La demande *{ $id }* pour *{ $email }* attend un approbateur.
    Vous recevrez un message privé dès qu'elle sera tranchée.

deny-title = Refuser la demande
deny-question = Refuser la demande { $id } de { $requester } pour *{ $guest }* ({ $email }) ?
deny-reason = Motif (le demandeur le verra)

offer-text = Besoin d'un compte invité ? Utilisez le bouton pour remplir une demande.
offer-body = { $user }, les comptes invités se demandent via un court formulaire, pour que les approbateurs disposent de tout ce qu'il leur faut.
offer-button = Demander un compte invité

home-intro = Demandez des comptes invités ici ou avec `/guest`. Les approbateurs statuent dans le canal des demandes.
home-your-requests = Vos demandes
home-none-yet = Vous n'avez encore demandé aucun invité.
home-reviews = Revues des accès
home-review-open = La revue des accès #{ $id } est en cours : revus : { $reviewed } sur { $total } · accès terminés : { $ended } · en attente : { $waiting } · échéance des réponses : { $due }.
home-review-start-text = Demandez à chaque parrain, par un message privé à chacun, si ses invités ont toujours besoin de leur accès.
home-review-start = Lancer la revue des accès
home-queue = En attente d'approbation ({ $count })
home-queue-empty = Rien à trancher. :tada:
home-queue-line = { $line } · demandée par { $requester } · fin : { $expiry }
home-queue-more = …et { $count } de plus dans le canal des demandes.
home-filter-empty = Aucun compte invité ne correspond à ce filtre.
home-accounts = Comptes invités ({ $total }), les plus proches de leur fin en premier
home-showing = Affichage : { $first }–{ $last } sur { $total }.
home-account-line = { $line } · parrain : { $sponsor } · fin : { $expiry }
home-previous = ‹ Précédents
home-next = Suivants ›
home-cut = …et d'autres encore : le canal des demandes contient toutes les demandes, et `/guest list` les vôtres.
home-filter-all = Tous les comptes invités
home-filter-7-days = Fin dans les 7 jours
home-filter-30-days = Fin dans les 30 jours
home-filter-no-end = Sans date de fin
home-filter-review = En attente dans la revue des accès

status-text = { $line }
    Canaux : { $channels }
    Fin : { $expiry }
    Demandée par { $requester } le { $at }
    { $status }

help = *Guestlist* gère les comptes invités de cet espace de travail.
    • `/guest` — demander un compte invité (ouvre un formulaire)
    • `/guest list` — vos demandes et où elles en sont
    • `/guest status <id>` — le détail d'une demande
    • `/guest cancel <id>` — retirer une demande encore en attente d'approbation
    • `/guest link` — créer un lien d'invitation : les personnes extérieures à Slack demandent elles-mêmes un compte
    • `/guest sync preview` — approbateurs : ce que changerait la synchronisation des groupes (sans rien modifier)
    • `/guest sync now` — approbateurs : lancer maintenant la synchronisation des groupes
    • `/guest import` — approbateurs : comment ajouter de nombreux invités depuis un fichier CSV
    • `/guest help` — cette liste

form-profile = { $field ->
    [title] Intitulé du poste
    [department] Service
    [manager] Responsable
    [employee_id] Matricule
   *[phone] Téléphone
}
form-manager-placeholder = Choisissez son responsable ici
form-phone-placeholder = +33 1 23 45 67 89
form-phone-hint = Format international : + indicatif du pays, puis le numéro.
request-phone-held = Ce numéro de téléphone figure déjà sur { $state ->
    [pending] une demande en attente d'approbation
    [approved] une demande approuvée
    [invited] une demande approuvée
   *[other] un compte invité actif
} ({ $id }, demandée par { $requester } le { $at }).
