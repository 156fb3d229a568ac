//! What the use cases are told by the configuration: policy, approvers, the lifecycle's clocks,
//! group sync. The `config` module builds these from the file and the environment; nothing
//! here reads either.

use crate::domain::policy::{AutoApproveRule, RequestPolicy};
use crate::domain::quorum::QuorumRule;
use crate::domain::roles::Roles;
use crate::domain::{ChannelId, UserGroupId};
use crate::provision::{ProvisioningMode, ScimSettings};
use std::time::Duration;

/// The parts of the configuration the use cases need.
#[derive(Debug, Clone)]
pub struct WorkflowSettings {
    pub request_channel: Option<ChannelId>,
    /// The language of messages in channels (cards, thread replies, digests); people get their
    /// own Slack language in DMs, modals and App Home.
    pub language: crate::i18n::Lang,
    pub policy: RequestPolicy,
    /// Who may do what (the `[approvers]` keys are read as roles too).
    pub roles: Roles,
    /// How many approvals a request needs, by what it asks for.
    pub quorum: Vec<QuorumRule>,
    pub approvals: ApprovalSettings,
    pub directory_ttl: Duration,
    pub max_attempts: i64,
    pub provisioning: ProvisioningSettings,
    pub sync: SyncSettings,
    pub auto_approve: Vec<AutoApproveRule>,
    pub join: JoinSettings,
    /// How often every tracked guest is compared with Slack (`None`: only on events).
    pub reconcile_every: Option<Duration>,
    /// Guests whose sponsor left: how long approvers have, and what happens after.
    pub orphan_grace: Duration,
    pub orphan_policy: crate::domain::reconcile::OrphanPolicy,
    /// A digest in the request channel once a week.
    pub weekly_digest: bool,
    pub review: ReviewSettings,
}

/// Access reviews: how often one starts by itself, how long sponsors have, and what happens to
/// what they leave unanswered.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewSettings {
    /// `None`: only on demand.
    pub every: Option<Duration>,
    pub answer_within: Duration,
    pub outcome: crate::domain::review::ReviewOutcome,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        Self {
            every: None,
            answer_within: Duration::from_secs(14 * 86400),
            outcome: crate::domain::review::ReviewOutcome::Escalate,
        }
    }
}

/// The clocks of a request nobody decides: reminders, escalation, lapse.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalSettings {
    /// Approvers are reminded this long after a request was made (each offset once).
    pub reminders: Vec<Duration>,
    pub escalation: Option<Escalation>,
    /// A request undecided this long lapses (`None`: never). A quorum rule may set its own.
    pub decide_within: Option<Duration>,
}

impl Default for ApprovalSettings {
    fn default() -> Self {
        Self {
            reminders: vec![Duration::from_secs(48 * 3600)],
            escalation: None,
            decide_within: Some(Duration::from_secs(7 * 86400)),
        }
    }
}

/// Where an undecided request is announced again, after `after`.
#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    pub after: Duration,
    /// Mentioned in the request channel.
    pub usergroup: Option<UserGroupId>,
    /// The card is posted here too.
    pub channel: Option<ChannelId>,
    /// The people named by roles that decide everywhere get a DM.
    pub owners: bool,
}

/// Group sync: the rules and how often they run.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    pub rules: Vec<crate::domain::sync::SyncRule>,
    /// A full run of every rule this often.
    pub interval: Duration,
    /// Where run summaries go (default: the request channel).
    pub report_channel: Option<ChannelId>,
    /// `users.list` page size (Slack recommends 200 at most).
    pub page_size: u16,
    /// Keep within Slack's per-method rate tiers (turn off only against a stand-in).
    pub pace: bool,
    /// Rules that provision through another mode than `provisioning.mode`.
    pub rule_provisioners: Vec<(String, ProvisioningMode)>,
}

/// How approved requests become accounts, and the lifecycle's clocks.
#[derive(Debug, Clone)]
pub struct ProvisioningSettings {
    pub mode: ProvisioningMode,
    /// An invitation not accepted within this lapses.
    pub invite_valid: Duration,
    /// The sponsor hears this long before an invitation lapses.
    pub invite_reminder_before: Duration,
    /// The sponsor hears this long before an account ends (each offset once).
    pub expiry_reminders: Vec<Duration>,
    /// At most one invitation per email per this long, by any path.
    pub resend_min_gap: Duration,
    pub custom_message: Option<String>,
    /// Manual mode: how often to remind admins of a deactivation nobody confirmed.
    pub deactivation_reminder_every: Duration,
    pub scim: Option<ScimSettings>,
}

impl Default for ProvisioningSettings {
    fn default() -> Self {
        Self {
            mode: ProvisioningMode::Manual,
            invite_valid: Duration::from_secs(7 * 86400),
            invite_reminder_before: Duration::from_secs(2 * 86400),
            expiry_reminders: vec![Duration::from_secs(7 * 86400), Duration::from_secs(86400)],
            resend_min_gap: Duration::from_secs(3600),
            custom_message: None,
            deactivation_reminder_every: Duration::from_secs(86400),
            scim: None,
        }
    }
}

/// The join page: where it is served, and who may register without a link.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JoinSettings {
    /// `server.public_url`, without a trailing slash: invite links are made under it. Without
    /// it, nobody can make a link (there would be nowhere to send people).
    pub public_url: Option<String>,
    pub self_registration: Option<SelfRegistration>,
    /// Requests the public page takes per email domain in 24 hours; more are refused on the
    /// email field (`server.join_daily_per_domain`).
    pub daily_per_domain: u32,
}

/// `[self_registration]`: anyone whose email is in these domains may ask at `/join`.
#[derive(Debug, Clone, PartialEq)]
pub struct SelfRegistration {
    pub allowed_domains: Vec<String>,
    pub terms: crate::domain::join::JoinTerms,
    /// The sponsor of record of every such request (its requester).
    pub sponsor: crate::domain::UserId,
    /// The workspace its requests go to (`self_registration.team`); needed when installs come
    /// through OAuth, else the one workspace.
    pub team: Option<crate::domain::TeamId>,
}
