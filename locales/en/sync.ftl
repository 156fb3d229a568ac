# Group sync and CSV import. Every key here exists in fr/sync.ftl too.

sync-why-in-target = already in the target workspace; no invitation
sync-why-not-invited = in the source, no invitation yet
sync-why-held-this-rule = already { $state } (by this rule)
sync-why-held-other-rule = already { $state } (by rule { $rule })
sync-why-held-request = already { $state } (by a request)
sync-why-wanted-elsewhere = left the source, still wanted by rule { $rule }
sync-why-left-kept = left the source; kept (on_removal = keep)
sync-why-left-in-use = left the source; the account is in use (on_removal = revoke_pending)
sync-why-left-withdrawn = left the source; invitation withdrawn
sync-why-left-ended = left the source; access ended

# A plan as a table (CLI and Slack code blocks).
sync-table-rule = RULE
sync-table-action = ACTION
sync-table-email = EMAIL
sync-table-reason = REASON
sync-action-invite = invite
sync-action-revoke = revoke
sync-action-unchanged = unchanged
sync-action-already-member = already a member
sync-more-lines = … and { $count } more lines
sync-plan-counts = { $rule }: { $invite } to invite, { $revoke } to revoke, { $unchanged } unchanged, { $members } already members

# What a run posts, and plans the guard held.
sync-summary = :arrows_counterclockwise: Group sync *{ $rule }*: { $invited } invited, { $revoked } revoked, { $unchanged } unchanged, { $members } already members.
sync-held = :raised_hand: Group sync *{ $rule }* would make { $changes } changes, more than its limit of { $limit }, so nothing was applied. { $mentions } Review the plan and apply it if it is right.
sync-held-apply = Apply anyway
sync-held-confirm-title = Apply this plan?
sync-held-confirm-text = { $changes } invitations and revocations will be made now.
sync-held-confirm-yes = Apply
sync-apply-not-allowed = Only approvers who approve every request can apply a sync plan.
sync-applying-held = Applying sync plan { $plan_id }; the summary follows here.

# `/guest sync preview|now`: progress, then the outcome.
sync-preview-title = Sync preview
sync-run-title = Sync run
sync-progress-directory = :hourglass_flowing_sand: *{ $what }*: reading the directory ({ $people } people in { $pages } { $pages ->
        [one] page
       *[other] pages
    } so far)…
sync-progress-applying = :hourglass_flowing_sand: *{ $what }*, rule *{ $rule }*: { $done } of { $total } invitations recorded…
sync-no-rules = No sync rules are configured (`[[sync]]` in guestlist.toml).
sync-outcome-preview = *Sync preview* (nothing was changed):
sync-outcome-run = *Sync run*:
sync-outcome-held = :raised_hand: *{ $rule }*: { $changes } changes exceed the limit of { $limit }; the plan waits for an approver.

# CSV import.
import-help = *Import guests from a CSV file*
    Share the file in { $place }; I reply in its thread with a preview (valid rows, rows I cannot import and why, duplicates) and an *Import* button. Nothing is created before you press it.
    The first row names the columns, in any order:
    ```{ $header }```
    • `email`, `name`, `guest_type` (`single_channel` or `multi_channel`), `channels` (names or IDs, separated by `;`) and `expires` (`30d`, `2027-03-31`, `2027-03-31T17:00:00Z` or `never`) are required.
    • `organisation`, `sponsor` (a user ID or email; you by default) and `phone` (E.164, such as `+14155550100`) are optional.
    From a shell: `guestlist import FILE --dry-run`.
import-help-request-channel = the request channel
import-table-line = line
import-table-import = import
import-table-invalid = invalid
import-table-duplicate = duplicate
import-table-sponsor = sponsor { $sponsor }
import-expiry-after-days = { $days } days after approval
import-expiry-until = until { $at }
import-expiry-never = no end
import-more-lines = … and { $count } more lines
import-counts = { $rows } rows: { $valid } to import, { $invalid } invalid, { $duplicates } { $duplicates ->
        [one] duplicate
       *[other] duplicates
    }
import-preview = :clipboard: *Import preview* of `{ $file }`: { $counts }. Nothing has been created yet.
import-confirmed-by = Import confirmed by { $who }.
import-button = Import { $count } { $count ->
        [one] guest
       *[other] guests
    }
import-confirm-text = { $count } approved requests will be created, with you as the approver, and invitations sent. Rows left out stay out.
import-confirm-yes = Import
import-refused = :warning: I cannot import `{ $file }`: { $reason } Nothing was created.
import-progress = :hourglass_flowing_sand: { $who } is importing `{ $file }`: { $done } of { $total } rows done.
import-done = :white_check_mark: { $who } imported { $count } { $count ->
        [one] guest
       *[other] guests
    } from `{ $file }`; invitations go out through the usual queue.
import-done-skipped = { $count } rows were skipped: their emails were taken since the preview.
import-done-left-out = { $count } rows were left out (see the preview).
import-changed = :warning: `{ $file }` changed since its preview, so nothing was imported. Share it again for a new preview.
import-not-allowed-file = Only approvers whose role has the `import` right can import guests from a CSV file. To ask for one guest, run `/guest`.
import-not-allowed = Only approvers whose role has the `import` right can import guests.
import-requested = Import requested; progress appears in the thread.
