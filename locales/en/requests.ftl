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
