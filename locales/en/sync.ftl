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
