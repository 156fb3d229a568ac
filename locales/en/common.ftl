# Words every surface shares: spans of time and lists. Every key here exists in fr/common.ftl
# too (`cargo test --test catalogue` fails otherwise).

time-in = in { $amount }
time-ago = { $amount } ago
time-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
time-hours = { $count ->
    [one] { $count } hour
   *[other] { $count } hours
}
time-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
list-and = { $first } and { $last }

no-such-request = There is no request { $id }.
unreadable-command = Sorry, I could not read that command. Try it again; `/guest help` shows what I understand.
sorry = :warning: Something went wrong on our side. Please try again in a minute; if it keeps happening, tell the Guestlist admins.
not-set-up = Guestlist is not set up yet: an admin needs to set `slack.request_channel` in its configuration.
too-slow = That took Slack a moment too long. Please run `{ $command }` again.
who-are-you-timeout = Slack took too long to tell me who you are. Please try again in a moment.
changed-meanwhile = Request { $id } changed meanwhile; look at its card.
button-cancel = Cancel
