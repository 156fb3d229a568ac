# Les mots que toutes les surfaces partagent : durées et listes.

time-in = dans { $amount }
time-ago = il y a { $amount }
time-days = { $count ->
    [one] { $count } jour
   *[other] { $count } jours
}
time-hours = { $count ->
    [one] { $count } heure
   *[other] { $count } heures
}
time-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
list-and = { $first } et { $last }

no-such-request = Il n'y a pas de demande { $id }.
unreadable-command = Désolé, je n'ai pas pu lire cette commande. Réessayez ; `/guest help` montre ce que je comprends.
sorry = :warning: Un problème est survenu de notre côté. Réessayez dans une minute ; si cela persiste, prévenez les administrateurs de Guestlist.
not-set-up = Guestlist n'est pas encore configuré : un administrateur doit renseigner `slack.request_channel` dans sa configuration.
too-slow = Slack a mis un peu trop de temps à répondre. Relancez `{ $command }`, s'il vous plaît.
who-are-you-timeout = Slack a mis trop de temps à me dire qui vous êtes. Réessayez dans un instant.
changed-meanwhile = La demande { $id } a changé entre-temps ; regardez sa fiche.
button-cancel = Annuler
