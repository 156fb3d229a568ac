//! Everything Guestlist writes into Slack and reads back: the `callback_id` of each view, the
//! `action_id` and `value` of each button, the `block_id` of each input, and what a view carries
//! in `private_metadata`. One codec, beside the renderer that writes these and used by the
//! handler that parses them, so the two cannot drift apart.

use crate::domain::RequestId;
use crate::domain::policy::Field;
use crate::domain::profile::ProfileField;
use serde::{Deserialize, Serialize};

/// A view (modal) or shortcut of ours, by its `callback_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    RequestForm,
    DenyReason,
    ExtendForm,
    /// The global shortcut "Request a guest".
    RequestShortcut,
    /// Approve with changes: the request's own terms, to narrow.
    ChangesForm,
    /// A new invite link's terms and options.
    LinkForm,
    /// Adopt an unmanaged guest: sponsor and end.
    AdoptForm,
    /// A new sponsor for a guest whose sponsor left.
    ReassignForm,
    /// An access review's Shorten: the new end.
    ReviewShortenForm,
    /// A live guest's channels and end, to change.
    ChangeAccessForm,
    /// A workspace's own settings (installs through OAuth).
    WorkspaceSettings,
}

impl View {
    const ALL: [View; 11] = [
        View::RequestForm,
        View::DenyReason,
        View::ExtendForm,
        View::RequestShortcut,
        View::ChangesForm,
        View::LinkForm,
        View::AdoptForm,
        View::ReassignForm,
        View::ReviewShortenForm,
        View::ChangeAccessForm,
        View::WorkspaceSettings,
    ];

    pub fn callback_id(self) -> &'static str {
        match self {
            View::RequestForm => "guest_request",
            View::DenyReason => "deny_reason",
            View::ExtendForm => "extend_request",
            View::RequestShortcut => "request_guest",
            View::ChangesForm => "approve_changes",
            View::LinkForm => "invite_link",
            View::AdoptForm => "adopt_guest",
            View::ReassignForm => "reassign_sponsor",
            View::ReviewShortenForm => "review_shorten",
            View::ChangeAccessForm => "change_access",
            View::WorkspaceSettings => "workspace_settings",
        }
    }

    pub fn parse(callback_id: &str) -> Option<View> {
        Self::ALL
            .into_iter()
            .find(|v| v.callback_id() == callback_id)
    }
}

/// Which guest accounts App Home lists for approvers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HomeFilter {
    #[default]
    All,
    EndingWithin7Days,
    EndingWithin30Days,
    NoEndDate,
    /// Accounts in an open access review still waiting for an answer.
    AwaitingReview,
}

impl HomeFilter {
    pub const ALL: [HomeFilter; 5] = [
        HomeFilter::All,
        HomeFilter::EndingWithin7Days,
        HomeFilter::EndingWithin30Days,
        HomeFilter::NoEndDate,
        HomeFilter::AwaitingReview,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HomeFilter::All => "all",
            HomeFilter::EndingWithin7Days => "7d",
            HomeFilter::EndingWithin30Days => "30d",
            HomeFilter::NoEndDate => "no_end",
            HomeFilter::AwaitingReview => "review",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// Something an admin has to do by hand in Slack (manual provisioning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminTask {
    Invite,
    Resend,
    Deactivate,
    MakeMember,
    /// The guest never joined: withdraw the pending invitation (no account exists).
    WithdrawInvitation,
}

impl AdminTask {
    const ALL: [AdminTask; 5] = [
        AdminTask::Invite,
        AdminTask::Resend,
        AdminTask::Deactivate,
        AdminTask::MakeMember,
        AdminTask::WithdrawInvitation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdminTask::Invite => "invite",
            AdminTask::Resend => "resend",
            AdminTask::Deactivate => "deactivate",
            AdminTask::MakeMember => "make_member",
            AdminTask::WithdrawInvitation => "withdraw_invitation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A previewed CSV file an approver may confirm: which file, which bytes, where, and who
/// shared it (their zone and sponsorship shaped the preview).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportConfirmation {
    pub file_id: String,
    /// SHA-256 of the previewed bytes, hex.
    pub digest: String,
    pub thread_ts: String,
    pub sharer: Option<String>,
}

/// A button of ours: what it does and on what. `action_id()` and `value()` are what the renderer
/// writes; `parse` reads them back from a `block_actions` payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Button {
    Approve(RequestId),
    /// Opens the request's terms to narrow before approving.
    ApproveWithChanges(RequestId),
    Deny(RequestId),
    /// In the requester's DM after a denial or lapse: the form again, filled in.
    RequestAgain(RequestId),
    /// Opens the request form (under a message in the request channel, in App Home).
    OpenForm,
    Resend(RequestId),
    Revoke(RequestId),
    MakeMember(RequestId),
    Extend(RequestId),
    LetExpire(RequestId),
    RetryProvision(RequestId),
    TaskDone(RequestId, AdminTask),
    ApplySyncPlan(i64),
    ImportConfirm(ImportConfirmation),
    /// App Home: opens the invite link form.
    NewLink,
    /// App Home: revokes one of the viewer's invite links.
    RevokeLink(i64),
    /// App Home (approvers): adopt this unmanaged guest (a Slack user id).
    Adopt(String),
    /// A guest whose sponsor left: pick a new sponsor.
    Reassign(RequestId),
    /// App Home: show this page (from 0) of the guest accounts, under a filter (Next).
    HomePage(usize, HomeFilter),
    /// App Home: the same, as the Previous button beside Next (Slack refuses two elements
    /// with one `action_id` in a block).
    HomePreviousPage(usize, HomeFilter),
    /// App Home: the filter picked in the accounts' menu (its selected option is the value).
    HomeFilter(HomeFilter),
    /// An access review item (by id): keep the access as it is.
    ReviewKeep(i64),
    /// An access review item: open the form for an earlier end.
    ReviewShorten(i64),
    /// An access review item: end the access now.
    ReviewEnd(i64),
    /// App Home (reviewers): start an access review of every guest.
    StartReview,
    /// A live guest's card or App Home row (approvers): change its channels or end.
    ChangeAccess(RequestId),
    /// The installer's DM or App Home (owners): the workspace's settings.
    WorkspaceSettings,
}

impl Button {
    pub fn action_id(&self) -> &'static str {
        match self {
            Button::Approve(_) => "approve_request",
            Button::ApproveWithChanges(_) => "approve_with_changes",
            Button::Deny(_) => "deny_request",
            Button::RequestAgain(_) => "request_again",
            Button::OpenForm => "open_request_form",
            Button::Resend(_) => "resend_invite",
            Button::Revoke(_) => "revoke_access",
            Button::MakeMember(_) => "make_member",
            Button::Extend(_) => "extend_access",
            Button::LetExpire(_) => "let_expire",
            Button::RetryProvision(_) => "retry_provision",
            Button::TaskDone(..) => "task_done",
            Button::ApplySyncPlan(_) => "apply_sync_plan",
            Button::ImportConfirm(_) => "import_guests",
            Button::NewLink => "new_invite_link",
            Button::RevokeLink(_) => "revoke_invite_link",
            Button::Adopt(_) => "adopt_guest",
            Button::Reassign(_) => "reassign_sponsor",
            Button::HomePage(..) => "home_page",
            Button::HomePreviousPage(..) => "home_page_previous",
            Button::HomeFilter(_) => "home_filter",
            Button::ReviewKeep(_) => "review_keep",
            Button::ReviewShorten(_) => "review_shorten",
            Button::ReviewEnd(_) => "review_end",
            Button::StartReview => "start_review",
            Button::ChangeAccess(_) => "change_access",
            Button::WorkspaceSettings => "workspace_settings",
        }
    }

    /// The button's `value` (at most 2000 characters: every value here is far shorter).
    pub fn value(&self) -> String {
        match self {
            Button::Approve(id)
            | Button::ApproveWithChanges(id)
            | Button::RequestAgain(id)
            | Button::Deny(id)
            | Button::Resend(id)
            | Button::Revoke(id)
            | Button::MakeMember(id)
            | Button::Extend(id)
            | Button::LetExpire(id)
            | Button::RetryProvision(id)
            | Button::Reassign(id)
            | Button::ChangeAccess(id) => id.0.to_string(),
            Button::OpenForm
            | Button::NewLink
            | Button::StartReview
            | Button::WorkspaceSettings => "open".to_string(),
            Button::ReviewKeep(item) | Button::ReviewShorten(item) | Button::ReviewEnd(item) => {
                item.to_string()
            }
            Button::RevokeLink(link) => link.to_string(),
            Button::Adopt(user) => user.clone(),
            Button::HomePage(page, HomeFilter::All)
            | Button::HomePreviousPage(page, HomeFilter::All) => page.to_string(),
            Button::HomePage(page, filter) | Button::HomePreviousPage(page, filter) => {
                format!("{page}:{}", filter.as_str())
            }
            Button::HomeFilter(filter) => filter.as_str().to_string(),
            Button::TaskDone(id, task) => format!("{}:{}", id.0, task.as_str()),
            Button::ApplySyncPlan(plan) => plan.to_string(),
            Button::ImportConfirm(file) => format!(
                "{}:{}:{}:{}",
                file.file_id,
                file.digest,
                file.thread_ts,
                file.sharer.as_deref().unwrap_or("")
            ),
        }
    }

    /// Reads a clicked button back; `None` for a button that is not ours or a value that does
    /// not parse.
    pub fn parse(action_id: &str, value: Option<&str>) -> Option<Button> {
        let value = value.unwrap_or("");
        let request = || RequestId::parse(value);
        Some(match action_id {
            "approve_request" => Button::Approve(request()?),
            "deny_request" => Button::Deny(request()?),
            "approve_with_changes" => Button::ApproveWithChanges(request()?),
            "request_again" => Button::RequestAgain(request()?),
            "open_request_form" => Button::OpenForm,
            "resend_invite" => Button::Resend(request()?),
            "revoke_access" => Button::Revoke(request()?),
            "make_member" => Button::MakeMember(request()?),
            "extend_access" => Button::Extend(request()?),
            "let_expire" => Button::LetExpire(request()?),
            "retry_provision" => Button::RetryProvision(request()?),
            "task_done" => {
                let (id, task) = value.split_once(':')?;
                Button::TaskDone(RequestId::parse(id)?, AdminTask::parse(task)?)
            }
            "apply_sync_plan" => Button::ApplySyncPlan(value.parse().ok()?),
            "new_invite_link" => Button::NewLink,
            "revoke_invite_link" => Button::RevokeLink(value.parse().ok()?),
            "adopt_guest" if is_slack_id(value) => Button::Adopt(value.to_string()),
            "reassign_sponsor" => Button::Reassign(request()?),
            "home_page" | "home_page_previous" => {
                let (page, filter) = match value.split_once(':') {
                    Some((page, filter)) => (page, HomeFilter::parse(filter)?),
                    None => (value, HomeFilter::All),
                };
                let page = page.parse().ok().filter(|p| *p < 100_000)?;
                if action_id == "home_page" {
                    Button::HomePage(page, filter)
                } else {
                    Button::HomePreviousPage(page, filter)
                }
            }
            "home_filter" => Button::HomeFilter(HomeFilter::parse(value)?),
            "review_keep" => Button::ReviewKeep(value.parse().ok()?),
            "review_shorten" => Button::ReviewShorten(value.parse().ok()?),
            "review_end" => Button::ReviewEnd(value.parse().ok()?),
            "start_review" => Button::StartReview,
            "change_access" => Button::ChangeAccess(request()?),
            "workspace_settings" => Button::WorkspaceSettings,
            "import_guests" => {
                let mut parts = value.splitn(4, ':');
                let (file_id, digest, thread_ts) = (parts.next()?, parts.next()?, parts.next()?);
                Button::ImportConfirm(ImportConfirmation {
                    file_id: file_id.to_string(),
                    digest: digest.to_string(),
                    thread_ts: thread_ts.to_string(),
                    sharer: parts.next().filter(|s| !s.is_empty()).map(str::to_string),
                })
            }
            _ => return None,
        })
    }
}

/// `block_id` (and `action_id`) of each request form input, so errors land on the right block.
pub fn field_block_id(field: Field) -> &'static str {
    match field {
        Field::Email => "email",
        Field::FullName => "full_name",
        Field::Organisation => "organisation",
        Field::Reason => "reason",
        Field::GuestType => "guest_type",
        Field::Channels => "channels",
        Field::ExpiryMode => "expiry_mode",
        Field::ExpiryDays => "expiry_days",
        Field::ExpiryDate => "expiry_date",
        Field::ExpiryTime => "expiry_time",
        Field::Profile(ProfileField::Title) => "title",
        Field::Profile(ProfileField::Department) => "department",
        Field::Profile(ProfileField::Manager) => "manager",
        Field::Profile(ProfileField::EmployeeId) => "employee_id",
        Field::Profile(ProfileField::Phone) => "phone",
    }
}

/// The workspace settings form's inputs.
pub const SETTINGS_CHANNEL_BLOCK: &str = "settings_channel";
pub const SETTINGS_APPROVERS_BLOCK: &str = "settings_approvers";
pub const SETTINGS_GROUPS_BLOCK: &str = "settings_groups";
pub const SETTINGS_PROVISIONING_BLOCK: &str = "settings_provisioning";
pub const SETTINGS_LANGUAGE_BLOCK: &str = "settings_language";

/// The invite link form's own inputs (type, channels and expiry use the request form's).
pub const LINK_USES_BLOCK: &str = "link_uses";
pub const LINK_DAYS_BLOCK: &str = "link_days";

/// The reassignment form's input, and what it carries: the request and the sponsor it had
/// when the form opened (a reassignment made meanwhile is not overwritten).
pub const REASSIGN_SPONSOR_BLOCK: &str = "reassign_sponsor";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReassignMetadata {
    pub request_id: i64,
    pub from: String,
}

/// The adoption form's inputs.
pub const ADOPT_SPONSOR_BLOCK: &str = "adopt_sponsor";
pub const ADOPT_DATE_BLOCK: &str = "adopt_date";
pub const ADOPT_REASON_BLOCK: &str = "adopt_reason";

/// What the adoption modal carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdoptMetadata {
    pub slack_user_id: String,
    pub tz: Option<String>,
}

/// A Slack user id as Slack writes them (`U…`/`W…`, letters and digits), so a button value
/// cannot smuggle anything else.
fn is_slack_id(value: &str) -> bool {
    (2..=20).contains(&value.len())
        && value.starts_with(['U', 'W'])
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The review's Shorten form: its one input, and what it carries.
pub const REVIEW_DATE_BLOCK: &str = "review_date";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewShortenMetadata {
    pub item_id: i64,
    pub tz: Option<String>,
}

/// The change-access form's inputs, and what it carries (the channels it showed, so a change
/// made meanwhile is not undone blindly).
pub const CHANGE_CHANNELS_BLOCK: &str = "change_channels";
pub const CHANGE_DATE_BLOCK: &str = "change_date";
pub const CHANGE_REASON_BLOCK: &str = "change_reason";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeAccessMetadata {
    pub request_id: i64,
    pub version: i64,
    pub tz: Option<String>,
}

/// The deny form's one input.
pub const DENY_REASON_BLOCK: &str = "deny_reason";
/// The extension form's inputs.
pub const EXTEND_DAYS_BLOCK: &str = "extend_days";
pub const EXTEND_DATE_BLOCK: &str = "extend_date";
pub const EXTEND_MODE_BLOCK: &str = "extend_mode";
pub const EXTEND_REASON_BLOCK: &str = "extend_reason";

/// What the request modal carries between opening and submission.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FormMetadata {
    /// The requester's IANA time zone, for reading the date and time pickers.
    pub tz: Option<String>,
    /// Where the form was opened from (a channel id), if anywhere.
    pub origin: Option<String>,
}

/// What the approve-with-changes modal carries: the request and the round the approver saw
/// (if another approver changed it meanwhile, this one's changes are not applied blindly).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangesMetadata {
    pub request_id: i64,
    pub round: i64,
    pub response_url: Option<String>,
    /// The approver's IANA time zone, for the date and time pickers.
    pub tz: Option<String>,
}

/// What the deny modal carries: the request, and where to answer the approver.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DenyMetadata {
    pub request_id: i64,
    pub response_url: Option<String>,
}

/// What the extension modal carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtendMetadata {
    pub request_id: i64,
    pub tz: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_button_reads_back_as_written() {
        let id = RequestId(42);
        let buttons = [
            Button::Approve(id),
            Button::ApproveWithChanges(id),
            Button::Deny(id),
            Button::RequestAgain(id),
            Button::OpenForm,
            Button::Resend(id),
            Button::Revoke(id),
            Button::MakeMember(id),
            Button::Extend(id),
            Button::LetExpire(id),
            Button::RetryProvision(id),
            Button::TaskDone(id, AdminTask::WithdrawInvitation),
            Button::ApplySyncPlan(7),
            Button::NewLink,
            Button::RevokeLink(9),
            Button::Adopt("UGUEST1".into()),
            Button::Reassign(id),
            Button::HomePage(3, HomeFilter::All),
            Button::HomePage(2, HomeFilter::EndingWithin7Days),
            Button::HomePreviousPage(1, HomeFilter::All),
            Button::HomePreviousPage(4, HomeFilter::NoEndDate),
            Button::HomeFilter(HomeFilter::NoEndDate),
            Button::ReviewKeep(11),
            Button::ReviewShorten(12),
            Button::ReviewEnd(13),
            Button::StartReview,
            Button::ChangeAccess(id),
            Button::WorkspaceSettings,
            Button::ImportConfirm(ImportConfirmation {
                file_id: "F1".into(),
                digest: "ab12".into(),
                thread_ts: "1700000000.000100".into(),
                sharer: Some("U1".into()),
            }),
            Button::ImportConfirm(ImportConfirmation {
                file_id: "F1".into(),
                digest: "ab12".into(),
                thread_ts: "1.2".into(),
                sharer: None,
            }),
        ];
        for button in buttons {
            let value = button.value();
            assert_eq!(
                Button::parse(button.action_id(), Some(&value)),
                Some(button.clone()),
                "{value}"
            );
        }
        assert_eq!(Button::parse("approve_request", Some("x")), None);
        assert_eq!(Button::parse("task_done", Some("4:bake")), None);
        assert_eq!(Button::parse("someone_elses", Some("4")), None);
        assert_eq!(Button::parse("adopt_guest", Some("<!here>")), None);
        for view in View::ALL {
            assert_eq!(View::parse(view.callback_id()), Some(view));
        }
    }
}
