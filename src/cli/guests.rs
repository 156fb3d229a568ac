//! `guestlist guests`: the inventory of live guest accounts, filtered, as a table, CSV or JSON;
//! and `--id N`, one request's evidence for an auditor (who asked, who approved and when, the
//! votes of every round, invitations, extensions, the end).

use crate::domain::{GuestRequest, RequestId};
use crate::store::SharedStore;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::io::Write;

/// Which accounts to list.
#[derive(Debug, Clone, Default)]
pub struct GuestFilter {
    /// Only accounts that end within this long from now (accounts with no end are left out).
    pub expiring_within: Option<Duration>,
    /// Only these sponsors (requesters), by Slack user id.
    pub sponsors: Vec<String>,
    /// Only emails in this domain (or its subdomains).
    pub domain: Option<String>,
    /// Only this workspace's (`--team`); every workspace's when unset.
    pub team: Option<crate::domain::TeamId>,
}

impl GuestFilter {
    pub fn keeps(&self, request: &GuestRequest, now: DateTime<Utc>) -> bool {
        let ends_soon = match self.expiring_within {
            None => true,
            Some(within) => request.expires_at.is_some_and(|at| at <= now + within),
        };
        let sponsor = self.sponsors.is_empty()
            || self
                .sponsors
                .iter()
                .any(|s| s == request.requester.as_str());
        let domain = self
            .domain
            .as_deref()
            .is_none_or(|d| request.email.is_in_domain(d.trim_start_matches('@')));
        let team = self.team.as_ref().is_none_or(|t| *t == request.team_id);
        ends_soon && sponsor && domain && team
    }
}

/// `7d`, `12h`, `90m`.
pub fn parse_within(raw: &str) -> anyhow::Result<Duration> {
    let raw = raw.trim();
    let split = raw.char_indices().last().map(|(i, _)| i).unwrap_or(0);
    let (number, unit) = raw.split_at(split);
    let n: i64 = number.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
        anyhow::anyhow!("--expiring-within {raw:?}: use a number and d, h or m, such as 7d")
    })?;
    Ok(match unit {
        "d" => Duration::days(n),
        "h" => Duration::hours(n),
        "m" => Duration::minutes(n),
        _ => anyhow::bail!("--expiring-within {raw:?}: use a number and d, h or m, such as 7d"),
    })
}

/// Every live account that passes the filter, read a page at a time (no cap).
pub async fn inventory(
    store: &SharedStore,
    filter: &GuestFilter,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<GuestRequest>> {
    const PAGE: i64 = 1000;
    let mut out = Vec::new();
    let mut after: Option<RequestId> = None;
    loop {
        let page = store.live_accounts(after, PAGE).await?;
        let last = page.last().map(|r| r.id);
        out.extend(page.into_iter().filter(|r| filter.keeps(r, now)));
        match last {
            Some(id) => after = Some(id),
            None => break,
        }
    }
    // Soonest end first; accounts that never end last.
    out.sort_by_key(|r| (r.expires_at.is_none(), r.expires_at, r.id));
    Ok(out)
}

fn ends(request: &GuestRequest) -> String {
    request
        .expires_at
        .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "never".into())
}

pub fn write_table(out: &mut impl Write, rows: &[GuestRequest]) -> anyhow::Result<()> {
    let header = [
        "ID", "STATE", "EMAIL", "NAME", "TYPE", "SPONSOR", "CHANNELS", "ENDS",
    ];
    let lines: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            [
                r.id.0.to_string(),
                r.state.as_str().to_string(),
                r.email.as_str().to_string(),
                r.full_name
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(40)
                    .collect(),
                r.guest_type.as_str().to_string(),
                r.requester.to_string(),
                r.channels.len().to_string(),
                ends(r),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let row = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(out, "{}", row(header.to_vec()))?;
    for line in &lines {
        writeln!(out, "{}", row(line.iter().map(String::as_str).collect()))?;
    }
    writeln!(out, "{} guest account(s)", rows.len())?;
    Ok(())
}

pub fn write_csv(out: &mut impl Write, rows: &[GuestRequest]) -> anyhow::Result<()> {
    let mut sheet = super::spreadsheet::Sheet::new(
        out,
        &[
            "id",
            "team_id",
            "state",
            "email",
            "name",
            "organisation",
            "guest_type",
            "channels",
            "sponsor",
            "slack_user_id",
            "approved_by",
            "approved_at",
            "expires_at",
            "source",
            "title",
            "department",
            "manager",
            "employee_id",
            "phone",
        ],
    )?;
    for r in rows {
        let channels: Vec<&str> = r.channels.iter().map(|c| c.as_str()).collect();
        sheet.row([
            r.id.0.to_string(),
            r.team_id.to_string(),
            r.state.as_str().to_string(),
            r.email.as_str().to_string(),
            r.full_name.clone(),
            r.organisation.clone(),
            r.guest_type.as_str().to_string(),
            channels.join(";"),
            r.requester.to_string(),
            r.slack_user_id.clone().unwrap_or_default(),
            r.decided_by
                .as_ref()
                .map(|u| u.to_string())
                .unwrap_or_default(),
            r.decided_at.map(|at| at.to_rfc3339()).unwrap_or_default(),
            r.expires_at.map(|at| at.to_rfc3339()).unwrap_or_default(),
            r.source.as_str().to_string(),
            r.profile.title.clone().unwrap_or_default(),
            r.profile.department.clone().unwrap_or_default(),
            r.profile
                .manager
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_default(),
            r.profile.employee_id.clone().unwrap_or_default(),
            r.profile.phone.clone().unwrap_or_default(),
        ])?;
    }
    sheet.finish()
}

/// `--unmanaged`: the guests Slack has and Guestlist does not manage.
pub fn write_unmanaged(
    out: &mut impl Write,
    rows: &[crate::store::UnmanagedGuest],
    format: super::GuestsFormat,
) -> anyhow::Result<()> {
    match format {
        super::GuestsFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, rows)?;
            writeln!(out)?;
        }
        super::GuestsFormat::Csv => {
            let mut sheet = super::spreadsheet::Sheet::new(
                out,
                &[
                    "team_id",
                    "slack_user_id",
                    "email",
                    "name",
                    "guest_type",
                    "first_seen",
                    "last_seen",
                ],
            )?;
            for g in rows {
                sheet.row([
                    g.team_id.clone(),
                    g.slack_user_id.clone(),
                    g.email.clone().unwrap_or_default(),
                    g.name.clone(),
                    g.guest_type.clone(),
                    g.first_seen.to_rfc3339(),
                    g.last_seen.to_rfc3339(),
                ])?;
            }
            sheet.finish()?;
        }
        super::GuestsFormat::Table => {
            for g in rows {
                writeln!(
                    out,
                    "{:<12} {:<14} {:<40} {}",
                    g.slack_user_id,
                    g.guest_type,
                    g.email.as_deref().unwrap_or("-"),
                    g.name
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(40)
                        .collect::<String>()
                )?;
            }
            writeln!(out, "{} unmanaged guest(s)", rows.len())?;
        }
    }
    Ok(())
}

/// One request's evidence, as JSON.
pub async fn evidence(store: &SharedStore, id: RequestId) -> anyhow::Result<serde_json::Value> {
    let Some(request) = store.request_by_id(id).await? else {
        anyhow::bail!("there is no request {id}");
    };
    let audit = store.audit_for_request(&request.team_id, id).await?;
    let mut rounds = Vec::new();
    for round in 1..=request.approval_round.max(1) {
        let votes = store.votes(&request.team_id, id, round).await?;
        rounds.push(json!({"round": round, "votes": votes}));
    }
    let of = |actions: &[&str]| -> Vec<&crate::store::AuditRecord> {
        audit
            .iter()
            .filter(|r| actions.contains(&r.entry.action.as_str()))
            .collect()
    };
    let extensions = store.requests_by_parent(&request.team_id, id).await?;
    Ok(json!({
        "request": request,
        "requested_by": request.requester,
        "profile": request.profile,
        "requested_at": request.created_at,
        "approved_by": request.decided_by,
        "approved_at": request.decided_at,
        "auto_approval_rule": request.auto_rule,
        "approval_rounds": rounds,
        "invitations": of(&["invite", "resend"]),
        "extensions": extensions,
        "ended": of(&["expire", "revoke", "deactivated", "deactivation_confirmed", "ended_outside", "found_member"]),
        "audit": audit,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_their_unit() {
        assert_eq!(parse_within("7d").unwrap(), Duration::days(7));
        assert_eq!(parse_within("12h").unwrap(), Duration::hours(12));
        assert_eq!(parse_within("90m").unwrap(), Duration::minutes(90));
        for bad in ["", "7", "d", "0d", "-3d", "7w", "7日", "日"] {
            assert!(parse_within(bad).is_err(), "{bad}");
        }
    }
}
