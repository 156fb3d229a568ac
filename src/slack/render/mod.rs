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
mod install;
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
pub use home::{
    ACCOUNTS_PER_PAGE, ApproverHome, help_text, home, request_line, request_list, status_text,
};
pub use import::{
    import_counts, import_done, import_help, import_preview, import_progress, import_refused,
    import_table,
};
pub use install::{WorkspaceSettingsView, install_welcome, workspace_settings_form};
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

use crate::domain::text::{escape, safe};
use crate::domain::{Expiry, GuestRequest, GuestType, RequestState};
use crate::i18n::{self, Lang, t};
use crate::slack::ids::Button;
use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;

/// `<!date^…>`: Slack shows it in each viewer's own time zone and date format; the fallback
/// (for clients that cannot) is the date in UTC, in `lang`.
pub fn date(at: DateTime<Utc>, lang: Lang) -> String {
    format!(
        "<!date^{}^{{date_short_pretty}} {{time}}|{}>",
        at.timestamp(),
        i18n::date_utc(at, lang)
    )
}

/// "Tue 22 Dec 2026, 10:00 UTC · in 30 days", or how a not-yet-known deadline will be set.
pub fn expiry_words(request: &GuestRequest, now: DateTime<Utc>, lang: Lang) -> String {
    match (request.expires_at, request.expiry) {
        (Some(at), _) => format!(
            "{} ({}) · {}",
            date(at, lang),
            i18n::date_utc(at, lang),
            i18n::relative(at, now, lang)
        ),
        (None, expiry) => expiry_terms(&expiry, lang),
    }
}

/// What a request asked for its end: "30 days after approval", a date, or never.
pub fn expiry_terms(expiry: &Expiry, lang: Lang) -> String {
    match *expiry {
        Expiry::AfterDays { days } => t!(lang, "expiry-after-days", days = days),
        Expiry::At { at } => format!("{} ({})", date(at, lang), i18n::date_utc(at, lang)),
        Expiry::Never => t!(lang, "expiry-never"),
    }
}

fn channels_text(request: &GuestRequest) -> String {
    crate::slack::say::channels(&request.channels)
}

/// One line on where the request stands, for the card's footer and status replies.
pub fn status(request: &GuestRequest, lang: Lang) -> String {
    let by = |who: &Option<crate::domain::UserId>| {
        who.as_ref()
            .map(|u| format!("<@{u}>"))
            .unwrap_or_else(|| "Guestlist".into())
    };
    let when = |at: Option<DateTime<Utc>>| at.map(|at| date(at, lang)).unwrap_or_default();
    match request.state {
        RequestState::Pending if request.quorum.approvals > 1 => t!(
            lang,
            "status-pending-quorum",
            count = request.quorum.approvals
        ),
        RequestState::Pending => t!(lang, "status-pending"),
        RequestState::Approved => match &request.auto_rule {
            Some(rule) => t!(
                lang,
                "status-approved-auto",
                rule = escape(rule),
                when = when(request.decided_at)
            ),
            None => t!(
                lang,
                "status-approved",
                by = by(&request.decided_by),
                when = when(request.decided_at)
            ),
        },
        RequestState::Denied => {
            let line = t!(
                lang,
                "status-denied",
                by = by(&request.decided_by),
                when = when(request.decided_at)
            );
            match request.decision_note.as_deref() {
                Some(note) => format!("{line}\n{}", quote(note, 500)),
                None => line,
            }
        }
        RequestState::Lapsed => t!(
            lang,
            "status-lapsed",
            when = when(request.decide_by.or(Some(request.updated_at)))
        ),
        RequestState::Cancelled => t!(
            lang,
            "status-cancelled",
            when = when(Some(request.updated_at))
        ),
        RequestState::Invited => match request.invite_expires_at {
            Some(lapses) => t!(
                lang,
                "status-invited-lapses",
                when = when(request.invited_at),
                lapses = date(lapses, lang)
            ),
            None => t!(lang, "status-invited", when = when(request.invited_at)),
        },
        RequestState::Active => t!(lang, "status-active"),
        RequestState::InviteExpired => t!(lang, "status-invite-expired"),
        RequestState::Expired => t!(lang, "status-expired", when = when(request.expires_at)),
        RequestState::Revoked => t!(
            lang,
            "status-revoked",
            by = by(&request.decided_by),
            when = when(Some(request.updated_at))
        ),
        RequestState::AlreadyMember => t!(
            lang,
            "status-already-member",
            when = when(Some(request.updated_at))
        ),
        RequestState::EndedOutside => t!(
            lang,
            "status-ended-outside",
            when = when(Some(request.updated_at))
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

/// A confirmation dialog on a dangerous button (Slack: title 100 characters, text 300, buttons
/// 30; a long name in French reaches them).
fn confirm_in(title: &str, text: String, yes: &str, lang: Lang) -> SlackBlockConfirmItem {
    SlackBlockConfirmItem::new(
        pt!(crate::domain::text::fit(title, 100)),
        md!("{}", crate::domain::text::fit(&text, 300)),
        pt!(crate::domain::text::fit(yes, 30)),
        pt!(crate::domain::text::fit(&t!(lang, "button-cancel"), 30)),
    )
    .with_style("danger".into())
}

/// Modal errors are plain text: turn `<@U1>` into `U1`, `<!date^…|fallback>` into its
/// fallback, and drop the bold marks.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let inner = &rest[start + 1..start + end];
        let shown = inner.rsplit('|').next().unwrap_or(inner);
        out.push_str(shown.trim_start_matches(['@', '#', '!']));
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out.replace('*', "")
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
