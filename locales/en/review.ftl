# Access reviews and changes to a live guest's access. Every key here exists in fr/review.ftl.

review-refused-already-answered = This guest was already reviewed.
review-refused-not-yours = Only the sponsor or a reviewer answers for this guest.
review-refused-with-approvers = The deadline passed: approvers decide now.
review-refused-own-access = A guest does not review itself.

## Answering a review item

review-no-such-item = That review item does not exist.
review-guest-gone = That guest no longer exists.
review-nothing-to-review = The access of { $who } is { $state } now: there is nothing to review.
review-answered-first = Someone answered for this guest first; the message shows what was decided.
review-changed-meanwhile = The access of { $who } changed meanwhile (it is { $state } now); nothing was done.
review-pick-new-end = Pick the new end date.
review-answered-first-form = Someone answered for this guest first.
review-changed-meanwhile-form = This access changed meanwhile (it is { $state } now); nothing was done.

## What an answer does, in the card's thread and to the sponsor

review-shortened-thread = :calendar: { $by } shortened the access of { $who } in access review #{ $campaign }: it now ends { $ends }.
review-shortened-thread-deadline = :calendar: The access review's deadline shortened the access of { $who } in access review #{ $campaign }: it now ends { $ends }.
review-shortened-dm = { $by } shortened the guest access of { $who } (access review #{ $campaign }): it now ends { $ends }.
review-shortened-dm-deadline = The access review's deadline shortened the guest access of { $who } (access review #{ $campaign }): it now ends { $ends }.
review-ended-thread = :lock: { $by } ended the access of { $who } in access review #{ $campaign }.
review-ended-thread-deadline = :lock: The access review's deadline ended the access of { $who } in access review #{ $campaign }.
review-ended-unanswered-thread = :lock: Nobody answered for { $who } in access review #{ $campaign } by its deadline, so the access ends (review.outcome = end).

## Starting a review from App Home

review-only-reviewers-start = Only reviewers can start an access review.
review-started = Access review #{ $campaign } started: { $guests } guest(s), { $sponsors } sponsor(s) asked by DM; answers due { $deadline }.
review-already-open = Access review #{ $campaign } is still open (answers due { $deadline }); one at a time.
review-no-guests = There is no active guest to review.

## The sponsor's DM and the approvers' message

review-scope-all = every guest
review-scope-domain = guests from { $domain }
review-scope-channel = guests in { $channel }
review-scope-domain-channel = guests from { $domain } in { $channel }
review-dm-intro = :mag: *Access review #{ $campaign }*: you sponsor these guests. Does each still need access? Answer by { $deadline }; after that, { $outcome ->
    [end] their access ends
    [keep] their access stays as it is
   *[escalate] approvers decide
}.
review-approvers-intro = :raised_hand: *Access review #{ $campaign }* ({ $scope }): nobody answered for these guests by the deadline, or they have no sponsor. Approvers decide: keep, shorten or end each one.
review-all-answered = Access review #{ $campaign }: all answered, thank you.
review-to-answer = Access review #{ $campaign }: { $open } guest(s) to review by { $deadline }.
review-guest = *{ $name }* · { $email } · { $kind }
    { $channels } · ends: { $ends }
review-keep-until = Keep until { $date }
review-keep-no-end = Keep (no end date)
review-button-shorten = Shorten…
review-button-end = End
review-end-title = End this access?
review-end-text = The guest account of *{ $name }* is deactivated now.
review-end-yes = End access
review-kept = :white_check_mark: Kept
review-kept-by = :white_check_mark: Kept by { $by }
review-shortened = :calendar: Shortened: now ends { $ends }
review-shortened-by = :calendar: Shortened by { $by }: now ends { $ends }
review-ended = :lock: Ended
review-ended-by = :lock: Ended by { $by }
review-kept-unanswered = :information_source: Not answered by the deadline: kept
review-ended-unanswered = :lock: Not answered by the deadline: ended
review-gone = :heavy_minus_sign: Ended or changed before the review
review-escalated = :raised_hand: Not answered in time: approvers decide

## The progress message in the request channel

review-progress-open = :mag: *Access review #{ $campaign }* ({ $scope }) · answers due { $deadline }
review-progress-over = :checkered_flag: *Access review #{ $campaign }* ({ $scope }) is over
review-progress-counts = { $reviewed } of { $total } reviewed · { $ended } ended · { $waiting } waiting
review-progress-escalated = { $count } with approvers
review-progress-shortened = { $count } shortened
review-progress-ended-unanswered = { $count } ended for want of an answer
review-progress-gone = { $count } ended before the review
review-progress-fallback = Access review #{ $campaign }: { $counts }

## The Shorten form

review-shorten-title = Shorten access
review-shorten-guest = *{ $name }* ({ $email }) · now ends: { $ends }
review-no-end-date = no end date
review-shorten-date = New end date
review-shorten-hint = Earlier than the current end. At 17:00 in your time zone ({ $tz }).
review-shorten-submit = Shorten

## Change access…: the form

change-title = Change access
change-guest = *{ $name }* ({ $email }) · { $kind } · sponsor { $sponsor }
    Removing channels or ending earlier applies now. More channels or a later end go to approvers, like a new request.
change-channels = Channels
change-ends-on = Access ends on
change-ends-hint = At 17:00 in your time zone ({ $tz }). Leave empty to keep the current end.
change-why = Why
change-submit = Change

## Change access…: refusals and the form's errors

change-not-active = Request { $id } is { $state }; only an active guest's access can be changed.
change-not-approver = Only approvers of this guest's channels can change its access.
change-stale = Request { $id } changed since this form opened (it is { $state } now); open it again.
change-no-channel = A guest needs at least one channel; to end the access, use Revoke.
change-one-channel = A single-channel guest has exactly one channel.
change-pick-date = Pick a date.
change-no-reason = Say why the access changes.
change-nothing = Nothing changed.
change-one-at-a-time = Ask for more channels and for a later end one at a time: each goes to approvers on its own.
change-extension-waiting = An extension for this guest is already waiting for approvers; decide it first.
change-end-moved = The end date changed meanwhile; open the form again.

## Change access…: what happens

change-widen-waiting = Your request *{ $id }* to widen the access of *{ $name }* is waiting for an approver.
change-done-channels = :pencil2: { $by } changed the access of { $who }: took them out of { $removed }.
change-done-end = :pencil2: { $by } changed the access of { $who }: moved the end to { $ends }.
change-done-channels-and-end = :pencil2: { $by } changed the access of { $who }: took them out of { $removed } and moved the end to { $ends }.
change-channels-now = :busts_in_silhouette: The channels of { $who } are now { $channels }.
change-task-add = add them to { $add }
change-task-remove = take them out of { $remove }
change-task-add-and-remove = add them to { $add } and take them out of { $remove }
change-admin-task = :wrench: Admin task: in Slack, { $what } (account { $account }). Guestlist records the channels as { $channels }.
change-channels-refused = :warning: Guestlist did not change the channels of { $who }: { $why }.
change-channels-failed = :warning: The channels of { $who } were not changed: { $problem }
change-refusal-unbound = no account is bound to this request
change-refusal-full-member = it is a full member
change-refusal-id-mismatch = the directory answered for { $answered }, not { $asked }
change-refusal-not-found = the directory no longer knows this account
change-refusal-not-ours = it is a deactivated account Guestlist did not create
change-refusal-deactivated = it is deactivated
