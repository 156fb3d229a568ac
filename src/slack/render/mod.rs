//! Block Kit, built with slack-morphism's types, one file per view: the forms (`form`), the
//! request card and its thread's notices (`card`, `notices`), App Home and the short texts around
//! it (`home`), group sync (`sync`) and CSV import (`import`). Pure functions of the data they
//! show, snapshot-tested. Everything a user typed passes through `text::safe` on its way in;
//! every id and button value comes from `slack::ids`.

mod adopt;
mod card;
mod form;
mod home;
mod import;
mod links;
mod notices;
mod review;
mod sync;
#[cfg(test)]
mod tests;

pub use adopt::{
    UnmanagedLine, adopt_form, orphan_card, reassign_form, unmanaged_lines, weekly_digest,
};
pub use card::{approval_progress, card, term_changes};
pub use form::{
    Again, changes_form, deny_form, extend_form, request_button_offer, request_form, request_sent,
};
pub use home::{ACCOUNTS_PER_PAGE, ApproverHome, help_text, home, request_line, status_text};
pub use import::{
    import_counts, import_done, import_help, import_preview, import_progress, import_refused,
    import_table,
};
pub use links::{link_created, link_form, link_lines, link_terms};
pub use notices::{
    admin_task, escalated_card, expiry_reminder, invitation_notice, provisioning_problem,
    request_ended,
};
pub use review::{
    REVIEW_ITEMS_PER_MESSAGE, ReviewHeading, ReviewLine, change_access_form, review_message,
    review_progress, review_shorten_form,
};
pub use sync::{held_plan, plan_table, sync_outcome_text, sync_progress_text, sync_summary};

use crate::domain::expiry::{format_utc, relative};
use crate::domain::text::{escape, safe};
use crate::domain::{Expiry, GuestRequest, GuestType, RequestState};
use crate::slack::ids::Button;
use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;

/// `<!date^…>`: Slack shows it in each viewer's own time zone; the fallback is UTC.
pub fn slack_date(at: DateTime<Utc>) -> String {
    format!(
        "<!date^{}^{{date_short_pretty}} {{time}}|{}>",
        at.timestamp(),
        format_utc(at)
    )
}

/// "Tue 22 Dec 2026, 10:00 UTC · in 30 days", or how a not-yet-known deadline will be set.
pub fn expiry_text(request: &GuestRequest, now: DateTime<Utc>) -> String {
    match (request.expires_at, request.expiry) {
        (Some(at), _) => format!(
            "{} ({}) · {}",
            slack_date(at),
            format_utc(at),
            relative(at, now)
        ),
        (None, Expiry::AfterDays { days }) => format!("{days} days after approval"),
        (None, Expiry::At { at }) => format!("{} ({})", slack_date(at), format_utc(at)),
        (None, Expiry::Never) => "Never".to_string(),
    }
}

fn channels_text(request: &GuestRequest) -> String {
    if request.channels.is_empty() {
        return "—".to_string();
    }
    request
        .channels
        .iter()
        .map(|c| format!("<#{c}>"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One line on where the request stands, for the card's footer and status replies.
pub fn status_line(request: &GuestRequest) -> String {
    let by = |who: &Option<crate::domain::UserId>| {
        who.as_ref()
            .map(|u| format!("<@{u}>"))
            .unwrap_or_else(|| "Guestlist".into())
    };
    let when = |at: Option<DateTime<Utc>>| at.map(slack_date).unwrap_or_default();
    match request.state {
        RequestState::Pending if request.quorum.approvals > 1 => format!(
            ":hourglass_flowing_sand: Waiting for {} approvals",
            request.quorum.approvals
        ),
        RequestState::Pending => ":hourglass_flowing_sand: Waiting for an approver".to_string(),
        RequestState::Approved => match &request.auto_rule {
            Some(rule) => format!(
                ":white_check_mark: Approved automatically by rule *{}* · {}",
                escape(rule),
                when(request.decided_at)
            ),
            None => format!(
                ":white_check_mark: Approved by {} · {}",
                by(&request.decided_by),
                when(request.decided_at)
            ),
        },
        RequestState::Denied => format!(
            ":no_entry: Denied by {} · {}{}",
            by(&request.decided_by),
            when(request.decided_at),
            request
                .decision_note
                .as_deref()
                .map(|n| format!("\n>{}", safe(n, 500).replace('\n', "\n>")))
                .unwrap_or_default()
        ),
        RequestState::Lapsed => format!(
            ":hourglass: Lapsed: nobody decided in time · {}",
            when(request.decide_by.or(Some(request.updated_at)))
        ),
        RequestState::Cancelled => format!(
            ":no_entry_sign: Cancelled by the requester · {}",
            when(Some(request.updated_at))
        ),
        RequestState::Invited => format!(
            ":incoming_envelope: Invitation sent {}{}",
            when(request.invited_at),
            request
                .invite_expires_at
                .map(|at| format!(" · it lapses {}", slack_date(at)))
                .unwrap_or_default()
        ),
        RequestState::Active => ":large_green_circle: Guest account active".to_string(),
        RequestState::InviteExpired => ":hourglass: The invitation lapsed unaccepted".to_string(),
        RequestState::Expired => format!(":lock: Account ended {}", when(request.expires_at)),
        RequestState::Revoked => format!(
            ":lock: Access revoked by {} · {}",
            by(&request.decided_by),
            when(Some(request.updated_at))
        ),
        RequestState::AlreadyMember => format!(
            ":no_entry: Closed: this email belongs to a full member of the workspace, whose account Guestlist never changes · {}",
            when(Some(request.updated_at))
        ),
        RequestState::EndedOutside => format!(
            ":lock: Ended outside Guestlist: the account was deactivated in Slack · found {}",
            when(Some(request.updated_at))
        ),
    }
}

fn quote(text: &str, max: usize) -> String {
    format!(">{}", safe(text, max).replace('\n', "\n>"))
}

/// A button whose `action_id` and `value` come from the codec.
fn button(label: &str, action: &Button) -> SlackBlockButtonElement {
    SlackBlockButtonElement::new(pt!(label))
        .with_action_id(action.action_id().into())
        .with_value(action.value())
}

fn confirm(title: &str, text: String, yes: &str) -> SlackBlockConfirmItem {
    SlackBlockConfirmItem::new(pt!(title), md!("{}", text), pt!(yes), pt!("Cancel"))
        .with_style("danger".into())
}

/// Text for inside a ``` block: escaped, backticks neutralised (a name must not close the
/// block), and cut at a line boundary so it fits `max` characters after escaping.
fn code_block_text(table: &str, max: usize) -> String {
    let mut out = String::new();
    let mut lines = table.lines();
    for line in lines.by_ref() {
        let line = escape(&line.replace('`', "'"));
        if out.chars().count() + line.chars().count() + 2 > max {
            out.push('…');
            break;
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}
