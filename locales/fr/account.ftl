# La vie d'un compte invité : invitations, renvois, fin et rappels, prolongations, révocation,
# passage en membre à part entière, tâches d'administration, et pourquoi Guestlist refuse de
# modifier un compte.

## Pourquoi Guestlist ne modifiera pas un compte (au milieu d'une phrase).
account-refusal = { $refusal ->
    [unbound] aucun compte n'est lié à cette demande
    [full_member] c'est un membre à part entière
    [not_found] l'annuaire ne connaît plus ce compte
    [not_ours] c'est un compte désactivé que Guestlist n'a pas créé
   *[deactivated] le compte est désactivé
}
account-refusal-id-mismatch = l'annuaire a répondu pour { $answered }, et non pour { $asked }
account-refused = :shield: { $who } : { $refusal }. Guestlist ne modifiera pas ce compte ; rien n'a été fait.
account-refused-unbound = :information_source: Aucun compte Slack de { $who } n'est lié à cette demande (l'invitation n'a jamais été acceptée), donc aucun compte { $change ->
    [set_expiry] auquel fixer une date de fin
    [deactivate] à désactiver
    [make_member] à convertir
    [reactivate] à réactiver
   *[channels] dont modifier les canaux
}.

## Invitations et arrivées.
account-found-member = :no_entry: { $who } est déjà membre à part entière de l'espace de travail. Guestlist n'invite pas, ne lie pas et ne modifie pas le compte d'un membre ; cette demande est close.
account-found-member-dm = { $who } est déjà membre à part entière de l'espace de travail ; aucun compte invité n'a donc été créé. Votre demande est close.
account-invited = :incoming_envelope: Invitation envoyée à { $who } ; date limite d'acceptation : { $lapses }.
account-invited-note = :information_source: { $note }
account-invited-dm = { $who } a été invité ; l'invitation expire si elle n'est pas acceptée (date limite : { $lapses }). Je vous préviendrai quand la personne aura rejoint l'espace de travail.
account-how = { $how ->
    [joined] a rejoint l'espace de travail
    [added] a été ajouté à l'espace de travail en tant qu'invité
    [adopted] a été pris en charge
   *[linked] avait déjà un compte invité, désormais lié
}
account-accepted = :tada: { $who } { $how }.
account-accepted-dm = :tada: { $who } { $how }. Fin de son accès : { $ends }.
account-accepted-dm-no-end = :tada: { $who } { $how }. Son accès n'a pas de date de fin.
account-invitation-failed = :warning: L'invitation pour { $who } n'a pas pu être envoyée : { $problem }
account-late-join = :lock: { $who } a accepté l'invitation après la fin de cette demande ; Guestlist met fin à ce compte invité.

## Renvois et invitations expirées.
account-nothing-to-resend = La demande { $id } est { $state } ; il n'y a pas d'invitation à renvoyer.
account-resend-too-soon = Une invitation a été envoyée à { $email } il y a moins d'une heure. Vous pourrez la renvoyer dans { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}.
account-resend-asked-admin = Un administrateur a été sollicité pour renvoyer l'invitation à { $email }.
account-resend-on-its-way = Une nouvelle invitation est en route vers { $email }.
account-resend-raced = Quelqu'un d'autre vient de renvoyer l'invitation à { $email }.
account-invitation-lapsed = :hourglass: L'invitation envoyée à { $who } a expiré sans avoir été acceptée.

## Révocation, membres à part entière, nouvelles tentatives, fin.
account-nothing-to-revoke = La demande { $id } est { $state } ; il n'y a rien à révoquer.
account-revoked = :lock: { $actor } a révoqué l'accès de { $who }.
account-revoked-dm = { $actor } a révoqué l'accès invité de { $who }.
account-not-active-guest = La demande { $id } n'est pas un compte invité actif.
account-member = :star: { $who } est désormais membre à part entière ; le compte n'a plus de date de fin.
account-member-dm = { $who } est désormais membre à part entière de l'espace de travail.
account-already-in-state = La demande { $id } est déjà { $state }.
account-retrying = Nouvelle tentative d'invitation pour la demande { $id }.
account-ended = :lock: Le compte invité de { $who } a pris fin comme prévu.
account-ended-sponsored-dm = Le compte invité de { $who }, que vous parrainiez, a pris fin.
account-ended-dm = Le compte invité de { $who } a pris fin.

## Tâches d'administration (mode manuel).
account-task-changed-meanwhile = La demande { $id } a changé entre-temps ; rien à faire.
account-task-already-done = Cette tâche pour la demande { $id } est déjà faite ({ $state }).
account-admin-deactivated = :lock: { $actor } a désactivé le compte de { $who }.
account-admin-confirmed-ended = :white_check_mark: { $actor } a confirmé que l'accès a pris fin.
account-task-account-bound = le compte invité { $user } (*{ $email }*)
account-task-account-unbound = le compte invité de *{ $email }*
account-task-expiring = , avec pour date de fin { $date } ({ $utc })
account-task-no-end = , sans date de fin
account-task-invite = *Tâche d'administration :* invitez *{ $email }* comme { $kind } dans { $channels }{ $expiry }. (Slack : *Inviter des personnes*, puis définissez la limite de temps.)
account-task-resend = *Tâche d'administration :* renvoyez l'invitation à *{ $email }* (administration de Slack : *Gérer les membres → Invitations → Renvoyer*).
account-task-deactivate = *Tâche d'administration :* désactivez { $account } maintenant ; le compte a pris fin. Guestlist vient de vérifier qu'il s'agit toujours d'un compte invité. (Administration de Slack : *Gérer les membres → Désactiver le compte*)
account-task-make-member = *Tâche d'administration :* faites passer { $account } d'invité à membre à part entière (administration de Slack : *Gérer les membres → Modifier le type de compte*).
account-task-withdraw = *Tâche d'administration :* retirez l'invitation en attente envoyée à *{ $email }* ; la personne n'a jamais rejoint l'espace de travail, il n'y a donc aucun compte à désactiver. (Administration de Slack : *Gérer les membres → Invitations → Révoquer*)
account-task-done = { $task ->
    [invite] Fait : invitation envoyée
    [resend] Fait : invitation renvoyée
    [deactivate] Fait : compte désactivé
    [make_member] Fait : compte converti
   *[withdraw_invitation] Fait : invitation retirée
}

## Les notifications au parrain.
account-expiry-reminder = Pour information : le compte invité de *{ $name }* ({ $email }) que vous parrainez prend fin { $relative } ({ $date }). Faut-il le prolonger, ou le laisser prendre fin ?
account-button-extend = Prolonger…
account-button-let-expire = Laisser prendre fin
account-invitation-lapsed-notice = L'invitation envoyée à *{ $name }* ({ $email }) a expiré sans avoir été acceptée. En envoyer une nouvelle ?
account-invitation-pending = *{ $name }* ({ $email }) n'a pas encore accepté l'invitation (date limite : { $date }).
account-invitation-pending-no-date = *{ $name }* n'a pas encore accepté l'invitation.
account-button-resend = Renvoyer l'invitation
account-provisioning-problem = :warning: Impossible d'envoyer l'invitation pour la demande { $id } : { $problem }
account-button-retry = Réessayer l'invitation
account-button-request-again = Refaire la demande

## Prolongations.
account-let-expire = C'est noté : le compte de { $who } prendra fin comme prévu ({ $at }).
account-nothing-to-extend = La demande { $id } est { $state } ; il n'y a rien à prolonger.
account-extension-waiting = Votre demande de prolongation *{ $id }* pour *{ $name }* attend un approbateur.
account-extended = :calendar: Accès prolongé, nouvelle date de fin : { $until } (prolongation { $extension }).
account-extended-dm = Le compte invité de { $who } a une nouvelle date de fin : { $until }.
account-extension-already-later = :calendar: La prolongation { $extension } a été approuvée, mais l'accès court déjà plus longtemps (date de fin : { $until }) ; la date de fin ne change pas.
account-extend-title = Prolonger l'accès
account-extend-current = *{ $name }* ({ $email }) — date de fin actuelle du compte : { $date } ({ $relative }).
account-extend-current-never = *{ $name }* ({ $email }) — le compte n'a actuellement pas de date de fin.
account-extend-mode-days = Des jours de plus, comptés depuis la fin actuelle
account-extend-mode-date = Jusqu'à une date
account-extend-label-mode = Prolonger
account-extend-label-days = Jours
account-extend-label-date = Date
account-extend-label-reason = Pourquoi plus longtemps ?
account-extend-submit = Demander l'approbation
account-extend-gone = Cet invité n'existe plus.
account-extend-no-end = Ce compte n'a pas de date de fin à prolonger.
account-extend-pick-date = Choisissez la nouvelle date de fin.
account-extend-too-far = C'est trop loin dans le futur.
account-extend-at-most = { $days } jours au maximum à la fois.
account-extend-whole-days = Saisissez un nombre entier de jours, 1 ou plus.
account-extend-not-later = La nouvelle date de fin doit être postérieure à l'actuelle.
account-extend-say-why = Indiquez pourquoi l'invité a besoin de plus de temps.
account-extend-duplicate = Une prolongation pour cet invité est déjà en attente.
account-profile-admin-task = :wrench: Tâche d'administration : Slack n'a pas laissé Guestlist renseigner l'intitulé de poste de { $who } ({ $user }). Indiquez *{ $title }* dans son profil (administration Slack : *Gérer les membres → Modifier le profil*).
