//! Why an input is refused, as a value: the form's field errors, the narrowing of an approver's
//! changes, the CSV import's row problems, a review's shortened end. `slack::render` (and the
//! CLI) put them into words from the catalogue, in the reader's language.

use super::import::Column;
use super::request::{GuestType, RequestState};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    // The guest's email.
    EmailEmpty,
    EmailInvalid,
    EmailTooLong,
    DomainBlocked {
        domain: String,
    },
    // Text fields.
    NameEmpty,
    ReasonEmpty,
    Required,
    TooLong {
        max: usize,
    },
    PhoneInvalid,
    // The terms.
    GuestTypeMissing,
    GuestTypeNotAllowed {
        guest_type: GuestType,
    },
    OneChannelOnly,
    NoChannel,
    TooManyChannels {
        max: usize,
    },
    ExpiryModeMissing,
    DaysMissing,
    DaysInvalid {
        max: u32,
    },
    DateMissing,
    DateInvalid,
    TimeInvalid,
    /// A wall time the clocks skip in the reader's zone ("2027-03-28 02:30").
    TimeSkipped {
        at: String,
    },
    MomentPassed,
    MustEnd {
        max_days: Option<u32>,
    },
    ExpiryTooLong {
        max_days: u32,
    },
    // An approver's changes may only narrow.
    KeepOneChannel,
    OnlyAskedChannels,
    OnlyMultiToSingle,
    NeverIsNewRequest,
    LaterEndIsNewRequest,
    EndInPast,
    // A review's shortened end.
    PickDateAfterToday,
    PickDateBeforeEnd,
    // CSV rows.
    RowShape {
        values: usize,
        columns: usize,
    },
    SameEmailAsLine {
        line: u64,
    },
    SamePhoneAsLine {
        line: u64,
    },
    /// A row's phone is on an open request already (`AlreadyHas` for an email).
    PhoneHeldBy {
        id: String,
        state: RequestState,
    },
    AlreadyHas {
        id: String,
        state: RequestState,
    },
    AlreadyFullMember {
        email: String,
    },
    SponsorConfirms {
        sponsor: String,
    },
    GuestTypeUnknown {
        raw: String,
    },
    UnknownChannel {
        name: String,
    },
    NoSponsor,
    SponsorUnknown {
        raw: String,
    },
    ManagerUnknown {
        raw: String,
    },
    ExpiresUnreadable {
        raw: String,
    },
    ExpiresMissing,
    ExpiresPast {
        raw: String,
    },
    PhoneNotE164 {
        raw: String,
    },
    /// A problem with one column of a row ("organisation: use at most 100 characters").
    InColumn {
        column: Column,
        problem: Box<Problem>,
    },
}

impl Problem {
    pub fn in_column(self, column: Column) -> Problem {
        Problem::InColumn {
            column,
            problem: Box::new(self),
        }
    }
}
