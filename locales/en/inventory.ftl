# The inventory: reconciliation, adopting unmanaged guests, sponsors who leave, the weekly
# digest, invite links made in Slack and what the sponsor hears of the requests they bring.
# Every key here exists in fr/inventory.ftl too.

## Reconciliation: what Slack shows that Guestlist did not do.

inventory-ended-outside-thread = :lock: { $who }'s account was deactivated in Slack outside Guestlist. It is recorded as ended here; Guestlist changed nothing in Slack.
inventory-ended-outside-dm = { $who }'s guest account, which you sponsor, was deactivated in Slack by someone other than Guestlist. It is now recorded as ended.
inventory-became-member-thread = :bust_in_silhouette: { $who } was made a full member in Slack. Guestlist no longer manages this account and will never change it.
inventory-became-member-dm = { $who }, whom you sponsored as a guest, is now a full member of the workspace. Guestlist no longer manages the account: no reminders, no expiry.
inventory-reactivated = :warning: { $who } ended here ({ $state }) but is an active guest in Slack again: someone reactivated the account by hand. { $approvers }, please check it: Guestlist does not change it on its own.
# Addresses approvers when there is nobody to mention.
inventory-approvers = Approvers

## Adopting a guest Guestlist does not manage.

inventory-unmanaged-header = Guests Guestlist does not manage ({ $total })
inventory-unmanaged-intro = Found in Slack, not invited through Guestlist. Adopt one to give it a sponsor and an end date; from then on it gets reminders and ends on time.
inventory-unmanaged-no-email = no email
inventory-unmanaged-type = { $kind ->
    [single_channel] single-channel guest
   *[multi_channel] multi-channel guest
}
inventory-unmanaged-more = …and { $count } more: `guestlist guests --unmanaged` lists them all.
inventory-button-adopt = Adopt

inventory-adopt-title = Adopt a guest
inventory-adopt-intro = { $guest } becomes a guest Guestlist manages: the sponsor is asked about it, it gets reminders, and it ends on the date you set. Guestlist changes only this account, and only after checking it is still a guest.
inventory-adopt-sponsor = Sponsor
inventory-adopt-sponsor-placeholder = Who vouches for this guest
inventory-adopt-ends = Access ends on
inventory-adopt-ends-hint = At 17:00 in your time zone ({ $tz }).
inventory-adopt-note = Note
inventory-adopt-submit = Adopt

inventory-only-approvers-adopt = Only approvers can adopt guests.
inventory-adopt-choose-sponsor = Choose who sponsors this guest.
inventory-guest-cannot-sponsor-itself = A guest cannot sponsor itself.
inventory-adopt-pick-end-day = Pick the day the access ends.
inventory-already-managed = Guestlist already manages this account.
inventory-nothing-to-adopt = { $name } is not an active guest any more; there is nothing to adopt.
inventory-no-email-to-track = Slack shows no email for this guest, so Guestlist cannot track it.
inventory-cannot-sponsor = { $name } cannot sponsor guests: choose a member of the workspace.
inventory-open-request-holds = An open request already holds { $email }.
inventory-adopted-reason = An existing guest, adopted by an approver.

## Sponsors who leave.

inventory-orphan-card = :bust_in_silhouette: { $sponsor }, who sponsors { $who }, has left (deactivated, or a guest now). { $approvers }, please give this guest a new sponsor or end the access. If nobody does by { $deadline }, { $after ->
        [end] the access ends
       *[keep] the guest stays, without a sponsor
    }.
inventory-button-reassign = Reassign
inventory-button-end-now = End now
inventory-end-confirm-title = End this guest's access?
inventory-end-confirm-text = { $name } loses access now.

inventory-reassign-title = New sponsor
inventory-reassign-intro = Who vouches for { $who } from now on? They are told, and get the reminders and reviews.
inventory-reassign-field = New sponsor
inventory-reassign-submit = Reassign

inventory-orphan-kept = :information_source: Nobody gave { $who } a new sponsor within { $days } day(s). The access stays (policy: keep); approvers can still reassign or end it.
inventory-orphan-ended = :lock: Nobody gave { $who } a new sponsor within { $days } day(s), so the access ends (policy: end).
inventory-only-approvers-reassign = Only approvers can give a guest a new sponsor.
inventory-choose-new-sponsor = Choose the new sponsor.
inventory-sponsor-who-left = That is the sponsor who left.
inventory-reassigned = :bust_in_silhouette: { $by } made { $to } the sponsor of { $who } (was { $from }).
inventory-you-sponsor-now = { $by } made you the sponsor of { $who }: you now get their reminders and reviews, and decide whether their access continues.
inventory-reassign-changed-meanwhile = Request { $id } changed meanwhile (another sponsor, or it ended); look at its card.

## The weekly digest in the request channel.

inventory-digest-title = :spiral_calendar_pad: *Weekly guest digest*
inventory-digest-fallback = Weekly guest digest: { $ending } ending in 7 days, { $unmanaged } unmanaged
inventory-digest-none-ending = No guest account ends in the next 7 days.
inventory-digest-ending = *{ $count } guest account(s) end in the next 7 days:*
inventory-digest-line = • { $line } · sponsor { $sponsor } · ends { $ends }
inventory-digest-more = …and { $count } more (`guestlist guests --expiring-within 7d`).
inventory-digest-all-managed = Every guest in the workspace is managed by Guestlist.
inventory-digest-unmanaged = *{ $count } guest(s) in Slack are not managed by Guestlist:* approvers can adopt them from the app's Home tab.

## Invite links made in Slack.

link-form-title = New invite link
link-form-intro = Whoever opens the link can ask for a guest account on these terms. Each request still goes to approvers, with you as its sponsor.
link-form-type = Guest type
link-form-channels = Channels
link-form-channels-hint = A single-channel guest gets exactly one channel.
link-form-mode-days = After a number of days (counted from approval)
link-form-mode-date = On a date and time
link-form-mode-never = Never
link-form-uses = How many people may use it
link-form-uses-hint = 1 for a link meant for one person.
link-form-days = Valid for (days)
link-form-days-hint = 1 to { $max } days.
link-form-submit = Create link

link-terms = { $kind } in { $channels } · account ends: { $ends }
link-ends-after-days = { $days ->
    [one] { $days } day after approval
   *[other] { $days } days after approval
}
link-ends-never = never

link-created-title = Invite link ready
link-created-intro = Send this link to the people you want to invite. It is shown only now: copy it before you close this window.
link-created-terms = { $terms } · { $uses } use(s) · valid until { $until }. You can revoke it from the app's Home tab.
link-created-done = Done

link-home-header = Your invite links
link-home-none = No open links. A link lets people outside Slack ask for an account themselves.
link-home-line = *Link { $id }* · { $terms } · { $left } of { $max } use(s) left · valid until { $until }
link-home-more = …and { $count } more. Revoke the ones you no longer need to see the rest.
link-button-revoke = Revoke
link-revoke-confirm-title = Revoke this link?
link-revoke-confirm-text = Nobody will be able to use link { $id } any more.
link-button-new = New invite link

link-off = Invite links are off: an admin needs to set `server.public_url` (the address people outside Slack can reach Guestlist at).
link-off-short = Invite links are off (no server.public_url).
link-uses-out-of-range = From 1 to { $max } people.
link-days-out-of-range = From 1 to { $max } days.
link-for-guests = An invite link is for guests.
link-no-such = There is no link { $id }.
link-only-maker-revokes = Only { $sponsor }, who made link { $id }, can revoke it.
link-revoked = Link { $id } is revoked: nobody can use it any more.
link-already-revoked = Link { $id } was already revoked.

# To the sponsor: $door is link or self; $auto is yes when a rule approved it at once.
link-sponsor-dm = *{ $name }* ({ $email }) asked for a guest account through your { $door ->
        [link] invite link { $link }
       *[self] self-registration
    }. Request *{ $id }*, with you as sponsor, is waiting for an approver. I will tell you here when anything changes.
