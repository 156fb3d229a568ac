# Requests: the form, the card, decisions, votes, reminders, `/guest`. Every key here exists
# in fr/requests.ftl too.

state = { $state ->
    [pending] waiting for approval
    [approved] approved
    [denied] denied
    [cancelled] cancelled
    [invited] invited
    [active] active
    [invite_expired] invitation expired
    [expired] expired
    [revoked] revoked
    [already_member] already a full member
    [lapsed] lapsed undecided
   *[ended_outside] ended outside Guestlist
}
guest-type = { $kind ->
    [single_channel] Single-channel guest
    [multi_channel] Multi-channel guest
   *[member] Full member
}

expiry-after-days = { $days ->
    [one] one day after approval
   *[other] { $days } days after approval
}
expiry-never = Never

status-pending-quorum = :hourglass_flowing_sand: Waiting for { $count } approvals
status-pending = :hourglass_flowing_sand: Waiting for an approver
status-approved-auto = :white_check_mark: Approved automatically by rule *{ $rule }* · { $when }
status-approved = :white_check_mark: Approved by { $by } · { $when }
status-denied = :no_entry: Denied by { $by } · { $when }
status-lapsed = :hourglass: Lapsed: nobody decided in time · { $when }
status-cancelled = :no_entry_sign: Cancelled by the requester · { $when }
status-invited = :incoming_envelope: Invitation sent { $when }
status-invited-lapses = :incoming_envelope: Invitation sent { $when } · it lapses { $lapses }
status-active = :large_green_circle: Guest account active
status-invite-expired = :hourglass: The invitation lapsed unaccepted
status-expired = :lock: Account ended { $when }
status-revoked = :lock: Access revoked by { $by } · { $when }
status-already-member = :no_entry: Closed: this email belongs to a full member of the workspace, whose account Guestlist never changes · { $when }
status-ended-outside = :lock: Ended outside Guestlist: the account was deactivated in Slack · found { $when }

word-or = or

request-unknown-command = Guestlist does not handle `{ $command }`. Try `/guest help`.
request-unknown-subcommand = I don't know `/guest { $sub }`.
request-none-yet = You have not asked for any guests yet. Run `/guest` to start.
request-which = Which request? For example `{ $example }`.
request-import-not-allowed = Only approvers whose role has the `import` right can import guests. To ask for one guest, run `/guest`.
request-sync-usage = Use `/guest sync preview` to see what group sync would change, or `/guest sync now` to run it.
request-sync-not-allowed = Only approvers whose role has the `sync` right can run group sync.
request-no-sync-rules = No sync rules are configured (`[[sync]]` in guestlist.toml).
request-sync-running = Running group sync; the outcome will appear here.
request-sync-previewing = Working out what group sync would change; the plan will appear here.
request-not-yours = Request { $id } is not yours to see.

refusal-own-request = You cannot decide your own request ({ $id }). Another approver has to.
refusal-not-an-approver = Only approvers can decide guest requests; { $id } is still waiting for one.
refusal-not-allowed = None of your roles lets you { $right ->
    [request] ask for
    [decide] decide
    [revoke] end access granted by
    [convert] convert guests of
    [import] import
    [sync] run group sync for
   *[review] review
} guest requests such as { $id }.
refusal-outside-scope = You { $right ->
    [request] ask for
    [decide] decide
    [revoke] end access granted by
    [convert] convert guests of
    [import] import
    [sync] run group sync for
   *[review] review
} requests for your own channels only; { $id } also asks for { $channels }.
request-not-allowed = None of your roles lets you ask for guest accounts; ask the people who run Guestlist.
request-only-members-of = Only members of { $groups } can ask for guest accounts.

request-was-cancelled = Request { $id } was cancelled by the requester.
request-already-denied = Request { $id } was already denied by { $by } { $at }.
request-already-denied-anon = Request { $id } was already denied { $at }.
request-already-lapsed = Request { $id } lapsed: nobody decided it in time. The requester can ask again.
request-still-waiting = Request { $id } is still waiting for a decision.
request-already-approved = Request { $id } was already approved by { $by } { $at }; it is now { $state }.
request-already-approved-anon = Request { $id } was already approved { $at }; it is now { $state }.
request-changed-while-open = Another approver changed request { $id } while this form was open. Close it and look at the card again.
request-deny-reason-missing = Say why, so the requester knows what to change.
request-extension-as-asked = Request { $id } extends an account; approve or deny it as asked.
request-only-requester-again = Only the person who asked can ask again for request { $id }.
request-lapsed-note = Nobody decided in time, so it lapsed.
request-only-requester-cancel = Only the person who asked can cancel request { $id }.
request-cannot-cancel = Request { $id } is { $state } and can no longer be cancelled.
request-cancelled-by = :no_entry_sign: Cancelled by { $actor }.
request-decided-in-slack = :information_source: An admin decided this invitation request in Slack's own admin page first; Guestlist sent nothing.
request-decided-in-slack-dm = :information_source: Your request { $id } for { $guest } was decided by an admin in Slack itself; Slack tells you the outcome.
request-cancelled = Request { $id } is cancelled.

request-approved-with-changes = :pencil2: { $voter } approved with changes: { $changes }. Approvals given before the change no longer count.
request-changed-yours = { $voter } changed your request *{ $id }* for *{ $guest }* before approving it: { $changes }.
request-already-voted = You already voted on request { $id } in this round; it needs someone else now.
request-changed-since-opened = Request { $id } was changed by an approver since you opened it; look at the card again.
request-parent-ended = The guest account that { $id } would extend has ended, so there is nothing to extend.
request-approval-counted = Your approval of request { $id } is counted: { $count } of { $needed }.
request-denial-counted = Your denial of request { $id } is counted: { $count } of { $needed } needed to deny it.
request-still-needs-roles = It still needs an approver from each of: { $roles }.
request-vote-counted = Your vote on request { $id } is counted.
request-approved-thread = :white_check_mark: Approved by { $by }.
request-approved-changed-thread = :white_check_mark: Approved by { $by } with changes: { $changes }.
request-denied-thread = :no_entry: Denied by { $by }.
request-approved-dm = Your request *{ $id }* for *{ $guest }* was approved by { $by }. The invitation comes next; I will keep you posted.
request-approved-changed-dm = Your request *{ $id }* for *{ $guest }* was approved by { $by } with changes: { $changes }. The invitation comes next; I will keep you posted.
request-denied-dm = Your request *{ $id }* for *{ $guest }* was denied by { $by }.
request-an-approver = an approver
request-an-approver-capital = An approver
request-workspace-admins = workspace admins

request-stale-reminder = :alarm_clock: Request { $id } has waited { $hours ->
    [one] one hour
   *[other] { $hours } hours
} for a decision. { $who } can approve or deny it above.
request-lapses-unless = It lapses { $at } unless someone decides.
request-escalated = :rotating_light: Request { $id } has waited { $waited } for a decision.
request-escalated-ask = :rotating_light: Request { $id } has waited { $waited } for a decision. { $group }, can you decide it?
request-lapsed-thread = :hourglass: Nobody decided within { $waited } — request { $id } lapsed.
request-lapsed-dm = Your request *{ $id }* for *{ $guest }* lapsed: nobody decided within { $waited }. If the guest still needs access, ask again.

request-already-full-member = { $email } is already a full member of this workspace. Guest access is for people outside it.
request-already-has = { $email } already has { $state ->
    [pending] a request waiting for approval
    [approved] an approved request
    [invited] an approved request
   *[other] an active guest account
} ({ $id }, asked by { $requester } on { $at }).
request-waiting-dm = Your request *{ $id }* for *{ $guest }* ({ $email }) is waiting for an approver. I will tell you here when it is decided.
request-auto-approved-dm = Your request *{ $id }* for *{ $guest }* ({ $email }) was approved automatically by rule *{ $rule }*. The invitation comes next; I will keep you posted.

card-title-guest = Guest request { $id }
card-fallback = { $title }: { $guest } ({ $email }) — { $state }
card-title-extension = Extension request { $id } for { $parent }
card-asks-guest = { $requester } asks for a *{ $kind ->
    [single_channel] single-channel guest
    [multi_channel] multi-channel guest
   *[other] full member
}* account
card-asks-extension = { $requester } asks to extend this guest account
card-asks-channels = { $requester } asks to give this guest these channels (the end stays as it is)
card-source = { $source ->
    [import] (CSV import)
    [sync] (group sync rule *{ $rule }*)
    [invite_link] (through the sponsor's invite link)
    [self_registration] (self-registration)
    [invite_request] (asked in Slack's “Invite people” dialog)
    [adopted] (an existing guest, adopted)
   *[other] {""}
}
card-guest = Guest
card-organisation = Organisation
card-type = Type
card-channels = Channels
card-expires = Expires
card-requested-by = Requested by
card-reason = Reason
card-changed-by-approver = Changed by an approver:
button-approve = Approve
button-approve-with-changes = Approve with changes
button-deny = Deny
button-revoke-access = Revoke access
button-resend-invitation = Resend invitation
button-make-member = Make full member
button-change-access = Change access…
confirm-revoke-title = Revoke access?
confirm-revoke-text = { $who } loses access now.
confirm-revoke-yes = Revoke
confirm-member-title = Make a full member?
confirm-member-text = { $who } becomes a full member of the workspace and no longer expires.
confirm-member-yes = Make member

progress-none-yet = 0 of { $needed } approvals
progress-approvals = { $count } of { $needed } { $needed ->
    [one] approval
   *[other] approvals
}: { $who }
progress-missing-roles = still needs one from each of: { $roles }
progress-denials = { $count } of { $needed } { $needed ->
    [one] denial
   *[other] denials
} to deny it
progress-restarted = count restarted after a change
progress-lapses = lapses { $at } ({ $relative })

terms-never = never
terms-channels = channels: { $from } → { $to }
terms-type = type: { $from } → { $to }
terms-ends = ends: { $from } → { $to }

form-title = Request a guest
form-submit = Send request
form-email = Guest email
form-email-placeholder = name@partner.com
form-name = Full name
form-name-placeholder = Grace Hopper
form-organisation = Organisation
form-organisation-placeholder = Partner Inc
form-reason = Why do they need access?
form-reason-placeholder = What they will work on, and with whom
form-guest-type = Guest type
form-type-option = { $kind ->
    [single_channel] Single-channel guest (one channel)
    [multi_channel] Multi-channel guest (one or more channels)
   *[other] Full member
}
form-channels = Channels
form-channels-hint = A single-channel guest gets exactly one channel.
form-channels-placeholder = Pick the channels
form-ends = Account ends
form-ends-after-days = After a number of days (counted from approval)
form-ends-on-date = On a date and time
form-ends-never = Never
form-ends-never-as-asked = Never (as asked)
form-days = Days
form-date = Date
form-time = Time
form-hint-max = At most { $days } days from now. Dates and times are in your time zone ({ $tz }).
form-hint-zone = Dates and times are in your time zone ({ $tz }).
form-again = You asked for this before ({ $id }). Change what needs changing and send it again.
form-again-note = You asked for this before ({ $id }). It ended with this note:
    { $note }
    Change what needs changing and send it again.
button-back = Back
button-done = Done

changes-title = Approve with changes
changes-intro = Request { $id }: *{ $guest }* ({ $email }), requested by { $requester }. Narrow what you approve: remove channels, make a multi-channel guest single-channel, or end the account earlier. Asking for more is a new request.
changes-restarts-count = A change starts the count of approvals again: earlier approvers approved something else.

form-sent-title = Request sent
form-sent-auto-in = Request *{ $id }* for *{ $email }* was approved automatically by rule *{ $rule }* in { $channel }.
    You will get a DM when the invitation goes out.
form-sent-auto = Request *{ $id }* for *{ $email }* was approved automatically by rule *{ $rule }*.
    You will get a DM when the invitation goes out.
form-sent-waiting-in = Request *{ $id }* for *{ $email }* is waiting for an approver in { $channel }.
    You will get a DM when it is decided.
form-sent-waiting = Request *{ $id }* for *{ $email }* is waiting for an approver.
    You will get a DM when it is decided.

deny-title = Deny request
deny-question = Deny request { $id } for *{ $guest }* ({ $email }), made by { $requester }?
deny-reason = Reason (the requester will see it)

offer-text = Need a guest account? Use the button to fill in a request.
offer-body = { $user }, guest accounts are requested with a short form so approvers get everything they need.
offer-button = Request a guest account

home-intro = Ask for guest accounts here or with `/guest`. Approvers decide in the request channel.
home-your-requests = Your requests
home-none-yet = You have not asked for any guests yet.
home-reviews = Access reviews
home-review-open = Access review #{ $id } is open: { $reviewed } of { $total } reviewed · { $ended } ended · { $waiting } waiting · answers due { $due }.
home-review-start-text = Ask every sponsor, in one DM each, whether their guests still need access.
home-review-start = Start access review
home-queue = Waiting for approval ({ $count })
home-queue-empty = Nothing to decide. :tada:
home-queue-line = { $line } · requested by { $requester } · expires: { $expiry }
home-queue-more = …and { $count } more in the request channel.
home-filter-empty = No guest account matches this filter.
home-accounts = Guest accounts ({ $total }), ending soonest first
home-showing = Showing { $first }–{ $last } of { $total }.
home-account-line = { $line } · sponsor { $sponsor } · ends: { $expiry }
home-previous = ‹ Previous
home-next = Next ›
home-cut = …and more: the request channel has every request, and `/guest list` yours.
home-filter-all = All guest accounts
home-filter-7-days = Ending within 7 days
home-filter-30-days = Ending within 30 days
home-filter-no-end = Without an end date
home-filter-review = Waiting in the access review

status-text = { $line }
    Channels: { $channels }
    Expires: { $expiry }
    Requested by { $requester } on { $at }
    { $status }

help = *Guestlist* runs guest accounts for this workspace.
    • `/guest` — ask for a guest account (opens a form)
    • `/guest list` — your requests and where they stand
    • `/guest status <id>` — one request in detail
    • `/guest cancel <id>` — withdraw a request still waiting for approval
    • `/guest link` — make an invite link: people outside Slack ask for an account themselves
    • `/guest sync preview` — approvers: what group sync would change (changes nothing)
    • `/guest sync now` — approvers: run group sync now
    • `/guest import` — approvers: how to add many guests from a CSV file
    • `/guest help` — this list

form-profile = { $field ->
    [title] Job title
    [department] Department
    [manager] Manager
    [employee_id] Employee ID
   *[phone] Phone
}
form-manager-placeholder = Pick their manager here
form-phone-placeholder = +44 20 7946 0000
form-phone-hint = International format: + country code, then the number.
request-phone-held = This phone number is already on { $state ->
    [pending] a request waiting for approval
    [approved] an approved request
    [invited] an approved request
   *[other] an active guest account
} ({ $id }, asked by { $requester } on { $at }).
