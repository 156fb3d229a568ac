# A guest account's life: invitations, resends, expiry and reminders, extensions, revocation,
# becoming a member, admin tasks, and why Guestlist refuses to change an account. Every key
# here exists in fr/account.ftl too.

## Why Guestlist will not change an account (the middle of a sentence).
account-refusal = { $refusal ->
    [unbound] no account is bound to this request
    [full_member] it is a full member
    [not_found] the directory no longer knows this account
    [not_ours] it is a deactivated account Guestlist did not create
   *[deactivated] it is deactivated
}
account-refusal-id-mismatch = the directory answered for { $answered }, not { $asked }
account-refused = :shield: { $who }: { $refusal }. Guestlist will not change this account; nothing was done.
account-refused-unbound = :information_source: No Slack account of { $who } is linked to this request (the invitation was never accepted), so there was nothing to { $change ->
    [set_expiry] set an end date on
    [deactivate] end
    [make_member] convert
    [reactivate] switch back on
   *[channels] change the channels of
}.

## Invitations and joins.
account-found-member = :no_entry: { $who } is already a full member of the workspace. Guestlist does not invite, link or change a member's account; this request is closed.
account-found-member-dm = { $who } is already a full member of the workspace, so no guest account was made. Your request is closed.
account-invited = :incoming_envelope: Invitation sent to { $who }; it lapses { $lapses }.
account-invited-note = :information_source: { $note }
account-invited-dm = { $who } has been invited. The invitation lapses { $lapses } unless accepted; I will tell you when they join.
account-how = { $how ->
    [joined] joined
    [added] was added to the workspace as a guest
    [adopted] was adopted
   *[linked] already had a guest account, which is now linked
}
account-accepted = :tada: { $who } { $how }.
account-accepted-dm = :tada: { $who } { $how }. Their access ends { $ends }.
account-accepted-dm-no-end = :tada: { $who } { $how }. Their access ends never.
account-invitation-failed = :warning: The invitation for { $who } could not be sent: { $problem }
account-late-join = :lock: { $who } accepted the invitation after this request ended; Guestlist is ending that guest account.

## Resends and lapsed invitations.
account-nothing-to-resend = Request { $id } is { $state }; there is no invitation to resend.
account-resend-too-soon = An invitation went to { $email } less than an hour ago. You can resend in { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}.
account-resend-asked-admin = Asked an admin to resend the invitation to { $email }.
account-resend-on-its-way = A new invitation is on its way to { $email }.
account-resend-raced = Someone else just resent the invitation to { $email }.
account-invitation-lapsed = :hourglass: The invitation to { $who } lapsed unaccepted.

## Revocation, full members, retries, the end.
account-nothing-to-revoke = Request { $id } is { $state }; there is nothing to revoke.
account-revoked = :lock: { $actor } revoked the access of { $who }.
account-revoked-dm = { $actor } revoked the guest access of { $who }.
account-not-active-guest = Request { $id } is not an active guest account.
account-member = :star: { $who } is now a full member; the account no longer expires.
account-member-dm = { $who } is now a full member of the workspace.
account-already-in-state = Request { $id } is { $state } already.
account-retrying = Trying the invitation for { $id } again.
account-ended = :lock: The guest account of { $who } ended as planned.
account-ended-sponsored-dm = The guest account of { $who } that you sponsored has ended.
account-ended-dm = The guest account of { $who } has ended.

## Admin tasks (manual mode).
account-task-changed-meanwhile = Request { $id } changed meanwhile; nothing to do.
account-task-already-done = That task for { $id } is already done ({ $state }).
account-admin-deactivated = :lock: { $actor } deactivated { $who }.
account-admin-confirmed-ended = :white_check_mark: { $actor } confirmed the access is ended.
account-task-account-bound = the guest account { $user } (*{ $email }*)
account-task-account-unbound = the guest account of *{ $email }*
account-task-expiring = , expiring { $date } ({ $utc })
account-task-no-end = , with no end date
account-task-invite = *Admin task:* invite *{ $email }* as a { $kind } to { $channels }{ $expiry }. (Slack: *Invite people*, then set the time limit.)
account-task-resend = *Admin task:* resend the invitation to *{ $email }* (Slack admin: *Manage members → Invitations → Resend*).
account-task-deactivate = *Admin task:* deactivate { $account } now; the account has ended. Guestlist checked just now that it is still a guest account. (Slack admin: *Manage members → Deactivate account*)
account-task-make-member = *Admin task:* change { $account } from guest to full member (Slack admin: *Manage members → Change account type*).
account-task-withdraw = *Admin task:* withdraw the pending invitation to *{ $email }*; they never joined, so there is no account to deactivate. (Slack admin: *Manage members → Invitations → Revoke*)
account-task-done = { $task ->
    [invite] Done: invited
    [resend] Done: resent
    [deactivate] Done: deactivated
    [make_member] Done: converted
   *[withdraw_invitation] Done: withdrawn
}

## The sponsor's notices.
account-expiry-reminder = Heads-up: the guest account of *{ $name }* ({ $email }) that you sponsor ends { $date } ({ $relative }). Extend it, or let it end?
account-button-extend = Extend…
account-button-let-expire = Let it expire
account-invitation-lapsed-notice = The invitation to *{ $name }* ({ $email }) lapsed without being accepted. Send a new one?
account-invitation-pending = *{ $name }* ({ $email }) has not accepted the invitation yet; it lapses { $date }.
account-invitation-pending-no-date = *{ $name }* has not accepted the invitation yet.
account-button-resend = Resend invitation
account-provisioning-problem = :warning: Could not send the invitation for { $id }: { $problem }
account-button-retry = Retry invitation
account-button-request-again = Request again

## Extensions.
account-let-expire = OK: the account of { $who } ends { $at } as planned.
account-nothing-to-extend = Request { $id } is { $state }; there is nothing to extend.
account-extension-waiting = Your extension request *{ $id }* for *{ $name }* is waiting for an approver.
account-extended = :calendar: Extended until { $until } (extension { $extension }).
account-extended-dm = The guest account of { $who } now ends { $until }.
account-extension-already-later = :calendar: Extension { $extension } was approved, but the access already runs until { $until }, so the end date stays.
account-extend-title = Extend guest access
account-extend-current = *{ $name }* ({ $email }) — the account now ends { $date } ({ $relative }).
account-extend-current-never = *{ $name }* ({ $email }) — the account now ends never.
account-extend-mode-days = More days, counted from the current end
account-extend-mode-date = Until a date
account-extend-label-mode = Extend
account-extend-label-days = Days
account-extend-label-date = Date
account-extend-label-reason = Why longer?
account-extend-submit = Ask for approval
account-extend-gone = That guest no longer exists.
account-extend-no-end = This account has no end date to extend.
account-extend-pick-date = Pick the new end date.
account-extend-too-far = That is too far ahead.
account-extend-at-most = At most { $days } days at a time.
account-extend-whole-days = Enter a whole number of days, 1 or more.
account-extend-not-later = The new end must be later than the current one.
account-extend-say-why = Say why the guest needs longer.
account-extend-duplicate = An extension for this guest is already waiting.
account-profile-admin-task = :wrench: Admin task: Slack did not let Guestlist write the job title of { $who } ({ $user }). Set it to *{ $title }* in their profile (Slack admin: *Manage members → Edit profile*).
