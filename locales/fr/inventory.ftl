# L'inventaire : le rapprochement avec Slack, la prise en charge des invités non gérés, les
# parrains qui partent, le récapitulatif hebdomadaire, les liens d'invitation créés dans Slack
# et ce que le parrain apprend des demandes qu'ils amènent.

## Rapprochement : ce que Slack montre et que Guestlist n'a pas fait.

inventory-ended-outside-thread = :lock: Le compte de { $who } a été désactivé dans Slack en dehors de Guestlist. Il est enregistré ici comme terminé ; Guestlist n'a rien modifié dans Slack.
inventory-ended-outside-dm = Le compte invité de { $who }, dont vous êtes le parrain, a été désactivé dans Slack par quelqu'un d'autre que Guestlist. Il est désormais enregistré comme terminé.
inventory-became-member-thread = :bust_in_silhouette: { $who } est devenu membre à part entière dans Slack. Guestlist ne gère plus ce compte et ne le modifiera jamais.
inventory-became-member-dm = { $who }, dont vous étiez le parrain en tant qu'invité, est désormais membre à part entière de l'espace de travail. Guestlist ne gère plus ce compte : plus de rappels, plus de fin d'accès.
inventory-reactivated = :warning: L'accès de { $who } a pris fin ici (demande { $state }), mais le compte est de nouveau actif comme invité dans Slack : quelqu'un l'a réactivé à la main. { $approvers }, merci de le vérifier : Guestlist ne le modifie pas de lui-même.
# S'adresse aux approbateurs quand il n'y a personne à mentionner.
inventory-approvers = Approbateurs

## Prendre en charge un invité que Guestlist ne gère pas.

inventory-unmanaged-header = Invités non gérés par Guestlist ({ $total })
inventory-unmanaged-intro = Trouvés dans Slack, mais pas invités via Guestlist. Prenez-en un en charge pour lui donner un parrain et une date de fin : il recevra ensuite des rappels et son accès prendra fin à temps.
inventory-unmanaged-no-email = pas d'adresse e-mail
inventory-unmanaged-type = { $kind ->
    [single_channel] invité monocanal
   *[multi_channel] invité multicanal
}
inventory-unmanaged-more = { $count ->
    [one] …et { $count } autre : `guestlist guests --unmanaged` les liste tous.
   *[other] …et { $count } autres : `guestlist guests --unmanaged` les liste tous.
}
inventory-button-adopt = Prendre en charge

inventory-adopt-title = Prendre en charge
inventory-adopt-intro = { $guest } devient un invité géré par Guestlist : son parrain est consulté, il reçoit des rappels, et son accès prend fin à la date que vous fixez. Guestlist ne modifie que ce compte, et seulement après avoir vérifié qu'il s'agit toujours d'un invité.
inventory-adopt-sponsor = Parrain
inventory-adopt-sponsor-placeholder = Qui se porte garant de cet invité
inventory-adopt-ends = Fin de l'accès le
inventory-adopt-ends-hint = À 17:00 dans votre fuseau horaire ({ $tz }).
inventory-adopt-note = Note
inventory-adopt-submit = Prendre en charge

inventory-only-approvers-adopt = Seuls les approbateurs peuvent prendre en charge des invités.
inventory-adopt-choose-sponsor = Choisissez le parrain de cet invité.
inventory-guest-cannot-sponsor-itself = Un invité ne peut pas être son propre parrain.
inventory-adopt-pick-end-day = Choisissez le jour où l'accès prend fin.
inventory-already-managed = Guestlist gère déjà ce compte.
inventory-nothing-to-adopt = { $name } n'est plus un invité actif ; il n'y a rien à prendre en charge.
inventory-no-email-to-track = Slack n'indique aucune adresse e-mail pour cet invité : Guestlist ne peut donc pas le suivre.
inventory-cannot-sponsor = { $name } ne peut pas parrainer d'invités : choisissez un membre de l'espace de travail.
inventory-open-request-holds = Une demande en cours porte déjà sur { $email }.
inventory-adopted-reason = Un invité existant, pris en charge par un approbateur.

## Les parrains qui partent.

inventory-orphan-card = :bust_in_silhouette: { $sponsor }, parrain de { $who }, est parti (désactivé, ou devenu invité). { $approvers }, merci de donner un nouveau parrain à cet invité ou de mettre fin à son accès. Si personne ne le fait d'ici { $deadline }, { $after ->
        [end] l'accès prendra fin
       *[keep] l'invité restera, sans parrain
    }.
inventory-button-reassign = Réattribuer
inventory-button-end-now = Mettre fin maintenant
inventory-end-confirm-title = Mettre fin à l'accès ?
inventory-end-confirm-text = { $name } perd son accès dès maintenant.

inventory-reassign-title = Nouveau parrain
inventory-reassign-intro = Qui se porte garant de { $who } désormais ? Cette personne en est informée et reçoit les rappels et les revues des accès.
inventory-reassign-field = Nouveau parrain
inventory-reassign-submit = Réattribuer

inventory-orphan-kept = :information_source: Personne n'a donné de nouveau parrain à { $who } dans un délai de { $days ->
        [one] { $days } jour
       *[other] { $days } jours
    }. L'accès est maintenu (politique : keep) ; les approbateurs peuvent encore le réattribuer ou y mettre fin.
inventory-orphan-ended = :lock: Personne n'a donné de nouveau parrain à { $who } dans un délai de { $days ->
        [one] { $days } jour
       *[other] { $days } jours
    } : l'accès prend donc fin (politique : end).
inventory-only-approvers-reassign = Seuls les approbateurs peuvent donner un nouveau parrain à un invité.
inventory-choose-new-sponsor = Choisissez le nouveau parrain.
inventory-sponsor-who-left = C'est le parrain qui est parti.
inventory-reassigned = :bust_in_silhouette: { $by } a désigné { $to } comme parrain de { $who } (auparavant { $from }).
inventory-you-sponsor-now = { $by } vous a désigné comme parrain de { $who } : vous recevez désormais ses rappels et ses revues des accès, et vous décidez si son accès continue.
inventory-reassign-changed-meanwhile = La demande { $id } a changé entre-temps (autre parrain, ou elle a pris fin) ; regardez sa fiche.

## Le récapitulatif hebdomadaire dans le canal des demandes.

inventory-digest-title = :spiral_calendar_pad: *Récapitulatif hebdomadaire des invités*
inventory-digest-fallback = Récapitulatif hebdomadaire des invités : { $ending ->
        [one] { $ending } accès prend fin
       *[other] { $ending } accès prennent fin
    } dans les 7 jours, { $unmanaged ->
        [one] { $unmanaged } invité non géré
       *[other] { $unmanaged } invités non gérés
    }
inventory-digest-none-ending = Aucun compte invité ne prend fin dans les 7 prochains jours.
inventory-digest-ending = { $count ->
    [one] *{ $count } compte invité prend fin dans les 7 prochains jours :*
   *[other] *{ $count } comptes invités prennent fin dans les 7 prochains jours :*
}
inventory-digest-line = • { $line } · parrain { $sponsor } · fin { $ends }
inventory-digest-more = { $count ->
    [one] …et { $count } autre (`guestlist guests --expiring-within 7d`).
   *[other] …et { $count } autres (`guestlist guests --expiring-within 7d`).
}
inventory-digest-all-managed = Tous les invités de l'espace de travail sont gérés par Guestlist.
inventory-digest-unmanaged = { $count ->
    [one] *{ $count } invité dans Slack n'est pas géré par Guestlist :* les approbateurs peuvent le prendre en charge depuis l'onglet Accueil de l'application.
   *[other] *{ $count } invités dans Slack ne sont pas gérés par Guestlist :* les approbateurs peuvent les prendre en charge depuis l'onglet Accueil de l'application.
}

## Les liens d'invitation créés dans Slack.

link-form-title = Lien d'invitation
link-form-intro = Toute personne qui ouvre le lien peut demander un compte invité à ces conditions. Chaque demande passe toujours par les approbateurs, avec vous comme parrain.
link-form-type = Type d'invité
link-form-channels = Canaux
link-form-channels-hint = Un invité monocanal a accès à un seul canal.
link-form-mode-days = Après un nombre de jours (à compter de l'approbation)
link-form-mode-date = À une date et une heure
link-form-mode-never = Jamais
link-form-uses = Nombre de personnes pouvant l'utiliser
link-form-uses-hint = 1 pour un lien destiné à une seule personne.
link-form-days = Durée de validité (jours)
link-form-days-hint = De 1 à { $max } jours.
link-form-submit = Créer le lien

link-terms = { $kind } dans { $channels } · fin du compte : { $ends }
link-ends-after-days = { $days ->
    [one] { $days } jour après l'approbation
   *[other] { $days } jours après l'approbation
}
link-ends-never = jamais

link-created-title = Lien d'invitation prêt
link-created-intro = Envoyez ce lien aux personnes que vous voulez inviter. Il n'est affiché qu'une seule fois : copiez-le avant de fermer cette fenêtre.
link-created-terms = { $terms } · { $uses ->
        [one] { $uses } utilisation
       *[other] { $uses } utilisations
    } · fin de validité : { $until }. Vous pouvez le révoquer depuis l'onglet Accueil de l'application.
link-created-done = Terminé

link-home-header = Vos liens d'invitation
link-home-none = Aucun lien ouvert. Un lien permet à des personnes extérieures à Slack de demander elles-mêmes un compte.
link-home-line = *Lien { $id }* · { $terms } · { $left ->
        [one] { $left } utilisation restante sur { $max }
       *[other] { $left } utilisations restantes sur { $max }
    } · fin de validité : { $until }
link-home-more = { $count ->
    [one] …et { $count } autre. Révoquez ceux dont vous n'avez plus besoin pour voir les suivants.
   *[other] …et { $count } autres. Révoquez ceux dont vous n'avez plus besoin pour voir les suivants.
}
link-button-revoke = Révoquer
link-revoke-confirm-title = Révoquer ce lien ?
link-revoke-confirm-text = Plus personne ne pourra utiliser le lien { $id }.
link-button-new = Nouveau lien d'invitation

link-off = Les liens d'invitation sont désactivés : un administrateur doit renseigner `server.public_url` (l'adresse à laquelle les personnes extérieures à Slack peuvent joindre Guestlist).
link-off-short = Les liens d'invitation sont désactivés (server.public_url n'est pas renseigné).
link-uses-out-of-range = De 1 à { $max } personnes.
link-days-out-of-range = De 1 à { $max } jours.
link-for-guests = Un lien d'invitation est réservé aux invités.
link-no-such = Il n'y a pas de lien { $id }.
link-only-maker-revokes = Seul { $sponsor }, qui a créé le lien { $id }, peut le révoquer.
link-revoked = Le lien { $id } est révoqué : plus personne ne peut l'utiliser.
link-already-revoked = Le lien { $id } était déjà révoqué.

# Au parrain : $door vaut link ou self ; $auto vaut yes quand une règle l'a approuvée d'emblée.
link-sponsor-dm = *{ $name }* ({ $email }) a demandé un compte invité via { $door ->
        [link] votre lien d'invitation { $link }
       *[self] l'auto-inscription
    }. La demande *{ $id }*, dont vous êtes le parrain, attend un approbateur. Je vous tiendrai informé ici de toute évolution.
