//! Pure types and rules: state machines, validation, approver authority, text safety.
//! Nothing here does I/O or knows about Slack's wire format or the database.

pub mod account;
pub mod email;
pub mod expiry;
pub mod ids;
pub mod import;
pub mod join;
pub mod policy;
pub mod problem;
pub mod profile;
pub mod quorum;
pub mod reconcile;
pub mod request;
pub mod review;
pub mod roles;
pub mod sync;
pub mod text;

pub use email::Email;
pub use expiry::Expiry;
pub use ids::{ChannelId, RequestId, TeamId, UserGroupId, UserId};
pub use request::{Action, GuestRequest, GuestType, NewRequest, RequestKind, RequestState};
