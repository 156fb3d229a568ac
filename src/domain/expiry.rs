//! When a guest account ends: after a number of days counted from approval, at a fixed
//! moment, or never. Times are kept in UTC and shown in the viewer's own zone.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Expiry {
    /// Counted from approval, not from the request (a slow approval must not eat the guest's time).
    AfterDays {
        days: u32,
    },
    At {
        at: DateTime<Utc>,
    },
    Never,
}

impl Expiry {
    /// The deadline once the request is approved at `approved_at`.
    pub fn deadline(&self, approved_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match *self {
            Expiry::AfterDays { days } => Some(approved_at + Duration::days(i64::from(days))),
            Expiry::At { at } => Some(at),
            Expiry::Never => None,
        }
    }

    /// The deadline known before approval (only fixed dates have one).
    pub fn fixed_deadline(&self) -> Option<DateTime<Utc>> {
        match *self {
            Expiry::At { at } => Some(at),
            _ => None,
        }
    }

    /// Longest span this expiry may run from `now` (`None` = unbounded).
    pub fn span_from(&self, now: DateTime<Utc>) -> Option<Duration> {
        match *self {
            Expiry::AfterDays { days } => Some(Duration::days(i64::from(days))),
            Expiry::At { at } => Some(at - now),
            Expiry::Never => None,
        }
    }

    pub fn kind_str(&self) -> &'static str {
        match self {
            Expiry::AfterDays { .. } => "days",
            Expiry::At { .. } => "at",
            Expiry::Never => "never",
        }
    }
}

/// The expiry of a request made in Slack's own invite dialog: the end its requester picked
/// there, else (none, or already past) the longest the policy allows, counted from approval.
/// Approvers see it on the card and may change it before they approve.
pub fn from_slack_invite_request(
    date_expire: Option<DateTime<Utc>>,
    max_days: Option<u32>,
    allow_never: bool,
    now: DateTime<Utc>,
) -> Expiry {
    match (date_expire, max_days) {
        (Some(at), _) if at > now => Expiry::At { at },
        (_, None) if allow_never => Expiry::Never,
        (_, max) => Expiry::AfterDays {
            days: max.unwrap_or(DEFAULT_DAYS_WITHOUT_LIMIT),
        },
    }
}

/// The span given to a Slack invite request without an end when the policy has no limit and
/// does not allow "never".
const DEFAULT_DAYS_WITHOUT_LIMIT: u32 = 90;

/// Parses an IANA zone name as Slack's `users.info` gives it; unknown names fall back to UTC.
pub fn zone(name: Option<&str>) -> Tz {
    name.and_then(|n| n.parse::<Tz>().ok()).unwrap_or(Tz::UTC)
}

/// A wall time the clocks skip in the reader's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedTime(pub String);

impl From<SkippedTime> for super::problem::Problem {
    fn from(skipped: SkippedTime) -> Self {
        super::problem::Problem::TimeSkipped { at: skipped.0 }
    }
}

/// Reads a date and wall-clock time picked by someone in zone `tz` as a UTC instant. On the
/// autumn change, when a wall time happens twice, the earlier one is taken.
pub fn local_to_utc(
    date: NaiveDate,
    time: NaiveTime,
    tz: Tz,
) -> Result<DateTime<Utc>, SkippedTime> {
    tz.from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|local| local.with_timezone(&Utc))
        .ok_or_else(|| SkippedTime(format!("{date} {}", time.format("%H:%M"))))
}

/// "Mon 30 Nov 2026, 16:00 UTC": for logs, audit details and exports, which are not
/// translated (people read dates through `i18n`).
pub fn format_utc(at: DateTime<Utc>) -> String {
    at.format("%a %-d %b %Y, %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slack_invite_request_keeps_its_end_or_gets_the_policy_longest() {
        use super::from_slack_invite_request as f;
        let now = chrono::Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
        let later = now + Duration::days(10);
        assert_eq!(
            f(Some(later), Some(90), false, now),
            Expiry::At { at: later }
        );
        assert_eq!(
            f(Some(now - Duration::days(1)), Some(30), false, now),
            Expiry::AfterDays { days: 30 }
        );
        assert_eq!(f(None, Some(30), true, now), Expiry::AfterDays { days: 30 });
        assert_eq!(f(None, None, true, now), Expiry::Never);
        assert_eq!(f(None, None, false, now), Expiry::AfterDays { days: 90 });
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn durations_count_from_approval() {
        let approved = utc("2026-11-22T10:00:00Z");
        assert_eq!(
            Expiry::AfterDays { days: 30 }.deadline(approved),
            Some(utc("2026-12-22T10:00:00Z"))
        );
        assert_eq!(Expiry::Never.deadline(approved), None);
        let at = utc("2027-01-01T00:00:00Z");
        assert_eq!(Expiry::At { at }.deadline(approved), Some(at));
    }

    #[test]
    fn wall_time_in_the_requesters_zone_becomes_utc() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let five_pm = NaiveTime::from_hms_opt(17, 0, 0).unwrap();
        let berlin = zone(Some("Europe/Berlin"));
        assert_eq!(
            local_to_utc(date, five_pm, berlin).unwrap(),
            utc("2026-12-01T16:00:00Z")
        );
        let la = zone(Some("America/Los_Angeles"));
        assert_eq!(
            local_to_utc(date, five_pm, la).unwrap(),
            utc("2026-12-02T01:00:00Z")
        );
        assert_eq!(zone(Some("Not/AZone")), Tz::UTC);
    }

    #[test]
    fn skipped_wall_times_are_refused_and_repeated_ones_take_the_first() {
        let berlin = zone(Some("Europe/Berlin"));
        let spring = NaiveDate::from_ymd_opt(2027, 3, 28).unwrap();
        let gap = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        assert!(local_to_utc(spring, gap, berlin).is_err());
        let autumn = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        assert_eq!(
            local_to_utc(autumn, gap, berlin).unwrap(),
            utc("2026-10-25T00:30:00Z")
        );
    }
}
