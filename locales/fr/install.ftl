# Installations par OAuth : le message à la personne qui installe, les réglages d'un espace de
# travail, et la page où elle arrive.

install-welcome = :wave: Guestlist est installé dans *{ $name }*. Configurez-le pour cet espace de travail : où vont les demandes, qui les approuve, comment les comptes invités sont créés, et la langue de ce qu'il publie.
install-open-settings = Ouvrir les réglages
install-settings-not-allowed = Seuls les propriétaires et les administrateurs de l'espace de travail modifient les réglages de Guestlist.
install-settings-invite-bot = { $channel } est privé et Guestlist n'en fait pas partie : il ne pourrait pas y publier les demandes. Invitez l'application dans le canal (/invite @Guestlist), puis enregistrez à nouveau.
install-settings-saved = Enregistré : Guestlist applique désormais ces réglages dans cet espace de travail.
install-settings-off = Ce déploiement sert un seul espace de travail ; ses réglages sont dans le fichier de configuration.

settings-title = Réglages de Guestlist
settings-save = Enregistrer
settings-intro = Ce que vous choisissez ici vaut pour cet espace de travail ; ce qui reste vide suit la configuration du déploiement.
settings-channel = Canal des demandes
settings-channel-hint = Là où les fiches des demandes sont publiées. Invitez-y Guestlist.
settings-approvers = Approbateurs
settings-approvers-hint = Ils décident de chaque demande (et peuvent mettre fin aux accès, importer et revoir). Vide : les rôles du déploiement.
settings-groups = Groupes d'approbateurs
settings-provisioning = Les comptes invités sont créés
settings-mode = { $mode ->
    [slack_admin] par Guestlist, par l'API d'administration d'Enterprise Grid
    [scim] par Guestlist, par SCIM
   *[manual] par un administrateur, que Guestlist sollicite et relance
}
settings-language = Langue des fiches et des fils
settings-language-name = { $code ->
    [fr] Français
   *[en] English
}

oauth-title-installed = Guestlist est installé
oauth-installed = Guestlist est installé dans { $name }. La personne qui l'a installé a reçu un message dans Slack pour le configurer.
oauth-installed-org = Guestlist est installé pour toute l'organisation { $name }. La personne qui l'a installé a reçu un message dans Slack pour le configurer.
oauth-title-failed = Guestlist n'a pas été installé
oauth-cancelled = L'installation a été annulée sur la page de Slack. Rien n'a été installé.
oauth-bad-state = Ce lien ne vient pas de ce Guestlist. Recommencez depuis la page d'installation.
oauth-stale = Cette installation a pris plus de dix minutes. Recommencez depuis la page d'installation.
oauth-replayed = Ce lien d'installation a déjà servi. Recommencez depuis la page d'installation.
oauth-other-browser = Cette installation a été commencée dans un autre navigateur. Recommencez depuis la page d'installation, dans ce navigateur.
oauth-refused = Slack a refusé l'installation ({ $code }). Recommencez depuis la page d'installation ; si cela se reproduit, prévenez les personnes qui gèrent Guestlist.
oauth-unavailable = Slack ou la base de données est injoignable. Réessayez dans une minute.
oauth-not-allowed = Ce Guestlist ne sert pas { $name } : rien n'a été enregistré. Retirez l'application dans les réglages de l'espace de travail, ou demandez aux personnes qui font tourner Guestlist de l'ajouter.
oauth-off = Ce Guestlist sert un seul espace de travail et ne s'installe pas depuis la page d'installation de Slack.
oauth-again = Installer de nouveau
install-tokens-dead = :rotating_light: Slack a refusé de renouveler les jetons de Guestlist pour cet espace de travail. Guestlist cesse de fonctionner { $until } : les invités garderaient alors leur accès au-delà de leur fin. Réinstallez Guestlist (sa page d'installation) d'ici là.
