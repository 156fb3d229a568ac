# Why an input was refused: on a form's field, a CSV row, a review's date. Plain text (modal
# errors show no formatting). CSV row notes are lower case, like cells of a table. Every key here exists in fr/problems.ftl too.

problem-email-empty = Enter the guest's email address.
problem-email-invalid = That is not a valid email address.
problem-email-too-long = An email address has at most 254 characters.
problem-domain-blocked = Guests from { $domain } cannot be invited (blocked domain).
problem-contact-taken = This email address or phone number is already in use for another guest.
problem-name-empty = Enter the guest's full name.
problem-reason-empty = Say why this guest needs access.
problem-required = This field is required.
problem-too-long = Use at most { $max } characters.
problem-phone-invalid = Enter the number in international format: + country code, then the number (for example +44 20 7946 0000).
problem-guest-type-missing = Choose the guest type.
problem-guest-type-not-allowed = { $kind ->
    [single_channel] Single-channel guests
    [multi_channel] Multi-channel guests
   *[other] Full members
} are not allowed here.
problem-one-channel-only = A single-channel guest gets exactly one channel.
problem-no-channel = Pick at least one channel.
problem-too-many-channels = Pick at most { $max } channels.
problem-expiry-mode-missing = Choose when the account ends.
problem-days-missing = Enter a number of days.
problem-days-invalid = Enter a whole number of days, from 1 to { $max }.
problem-date-missing = Pick the date the account should end.
problem-date-invalid = Pick a date from the calendar.
problem-time-invalid = Pick a time from the list.
problem-time-skipped = { $at } does not exist in your time zone (the clocks skip it); pick another time.
problem-moment-passed = That moment has already passed; pick a later one.
problem-must-end-max = Guest accounts must end; the longest allowed is { $max } days.
problem-must-end = Guest accounts must end; pick a duration or a date.
problem-expiry-too-long = The longest allowed is { $max } days.
problem-keep-one-channel = Keep at least one channel.
problem-only-asked-channels = Only channels that were asked for can stay; adding channels is a new request.
problem-only-multi-to-single = Only multi-channel to single-channel narrows a request.
problem-never-is-new = The request has an end date; "never" is a new request.
problem-later-end-is-new = A later end than asked for is a new request.
problem-end-in-past = The end must be in the future.
problem-date-after-today = Pick a date after today.
problem-date-before-end = Pick a date before the current end; to give longer, ask for an extension.
problem-row-shape = has { $values } values; the header has { $columns } columns
problem-same-email-as-line = the same email as line { $line }
problem-same-phone-as-line = the same phone as line { $line }
problem-phone-held-by = the phone is already on { $id } ({ $state })
problem-already-has = already has { $id } ({ $state })
problem-already-full-member = { $email } is already a full member of this workspace
problem-sponsor-confirms = sponsored by { $sponsor }, who confirms this import; another approver has to confirm it
problem-guest-type-unknown = guest_type "{ $raw }" is not single_channel or multi_channel
problem-unknown-channel = unknown channel { $name }
problem-no-sponsor = no sponsor (name one, or import as a person)
problem-sponsor-unknown = sponsor { $raw } is not a person in this workspace
problem-manager-unknown = manager { $raw } is not a person in this workspace
problem-expires-unreadable = expires "{ $raw }" is not a number of days (30d), a date (2027-03-31), a date-time or never
problem-expires-missing = no expires (30d, a date, or never)
problem-expires-past = expires { $raw } is in the past
problem-phone-not-e164 = phone "{ $raw }" is not in E.164 form (+ country code and number)
problem-in-column = { $column }: { $problem }

file-too-large = The file is larger than { $mb } MB; I import at most { $max } bytes at once. Split it into smaller files.
file-empty = The file is empty; it needs a header row and at least one guest.
file-encoding = The file is not UTF-8 text (line { $line }). Save it as "CSV UTF-8" and try again.
file-unbalanced-quotes = A quote opened on line { $line } is never closed, so the rows after it cannot be read.
file-missing-column = The header row has no { $column } column (needed: { $required }).
file-unknown-column = The header row has an unknown column "{ $column }" (known: { $known }).
file-duplicate-column = The header row names the column "{ $column }" twice.
file-too-many-rows = The file has { $rows } rows; I import at most { $max } at once.
file-unreadable = Line { $line }: { $message }
