//! CSV import: reading the file, then checking every row against the same rules as the form.
//! The workflow looks up what needs Slack or the database (channels, sponsors, emails already
//! taken) and hands those facts in; nothing here does I/O.

use super::email::Email;
use super::expiry::{Expiry, local_to_utc};
use super::ids::{ChannelId, RequestId, UserId};
use super::policy::{
    DEFAULT_EXPIRY_TIME, MAX_EXPIRY_DAYS, MAX_NAME_CHARS, MAX_ORGANISATION_CHARS, RequestPolicy,
    check_channel_count, check_email, check_expiry,
};
use super::problem::Problem;
use super::profile::{Profile, ProfileDraft, ProfileField, check_profile};
use super::request::GuestType;
use super::request::RequestState;
use super::text::clean_line;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Larger files are refused before they are read: 10,000 rows take about 1 MB.
pub const MAX_IMPORT_BYTES: u64 = 10 * 1024 * 1024;
pub const MAX_IMPORT_ROWS: usize = 50_000;

/// The columns, in the order a template lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Email,
    Name,
    Organisation,
    GuestType,
    Channels,
    Expires,
    Sponsor,
    Phone,
    Title,
    Department,
    Manager,
    EmployeeId,
}

impl Column {
    pub const ALL: [Column; 12] = [
        Column::Email,
        Column::Name,
        Column::Organisation,
        Column::GuestType,
        Column::Channels,
        Column::Expires,
        Column::Sponsor,
        Column::Phone,
        Column::Title,
        Column::Department,
        Column::Manager,
        Column::EmployeeId,
    ];
    const REQUIRED: [Column; 5] = [
        Column::Email,
        Column::Name,
        Column::GuestType,
        Column::Channels,
        Column::Expires,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Column::Email => "email",
            Column::Name => "name",
            Column::Organisation => "organisation",
            Column::GuestType => "guest_type",
            Column::Channels => "channels",
            Column::Expires => "expires",
            Column::Sponsor => "sponsor",
            Column::Phone => "phone",
            Column::Title => "title",
            Column::Department => "department",
            Column::Manager => "manager",
            Column::EmployeeId => "employee_id",
        }
    }

    fn parse(header: &str) -> Option<Self> {
        let key = header.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        match key.as_str() {
            "organization" => Some(Column::Organisation),
            "full_name" => Some(Column::Name),
            _ => Self::ALL.into_iter().find(|c| c.as_str() == key),
        }
    }
}

/// The header line a template starts with.
pub fn template_header() -> String {
    Column::ALL.map(Column::as_str).join(",")
}

/// Why a whole file is refused. Nothing is read further and nothing is written. The words
/// are the catalogue's (`slack::render`); `code` names it in logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    TooLarge {
        max: u64,
    },
    Empty,
    Encoding {
        line: usize,
    },
    UnbalancedQuotes {
        line: usize,
    },
    MissingColumn(&'static str),
    UnknownColumn(String),
    DuplicateColumn(String),
    TooManyRows {
        rows: usize,
        max: usize,
    },
    /// The csv reader's own words (not translated).
    Unreadable {
        line: u64,
        message: String,
    },
}

impl FileError {
    pub fn code(&self) -> &'static str {
        match self {
            FileError::TooLarge { .. } => "too_large",
            FileError::Empty => "empty",
            FileError::Encoding { .. } => "encoding",
            FileError::UnbalancedQuotes { .. } => "unbalanced_quotes",
            FileError::MissingColumn(_) => "missing_column",
            FileError::UnknownColumn(_) => "unknown_column",
            FileError::DuplicateColumn(_) => "duplicate_column",
            FileError::TooManyRows { .. } => "too_many_rows",
            FileError::Unreadable { .. } => "unreadable",
        }
    }
}

/// The columns a file must have, for the words of `FileError::MissingColumn`.
pub fn required_list() -> String {
    Column::REQUIRED.map(Column::as_str).join(", ")
}

/// One data row as written, by column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    values: HashMap<Column, String>,
    /// Set when the row has the wrong number of values.
    shape_error: Option<Problem>,
}

impl RawRow {
    pub fn get(&self, column: Column) -> &str {
        self.values.get(&column).map(String::as_str).unwrap_or("")
    }
}

/// Reads a whole CSV file. Refuses it outright when it cannot be read as a table; a row with
/// bad values is not a file error (the preview lists it).
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<RawRow>, FileError> {
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(FileError::TooLarge {
            max: MAX_IMPORT_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        // UTF-16, as some spreadsheet exports write it.
        return Err(FileError::Encoding { line: 1 });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| FileError::Encoding {
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
    })?;
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    if let Some(line) = unclosed_quote(text) {
        return Err(FileError::UnbalancedQuotes { line });
    }

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| unreadable(&e))?.clone();
    // An empty header cell (spreadsheets export trailing empty columns) names no column.
    let mut columns: Vec<Option<Column>> = Vec::with_capacity(header.len());
    let mut seen = HashSet::new();
    for name in header.iter() {
        if name.is_empty() {
            columns.push(None);
            continue;
        }
        let column = Column::parse(name).ok_or_else(|| FileError::UnknownColumn(name.into()))?;
        if !seen.insert(column) {
            return Err(FileError::DuplicateColumn(name.into()));
        }
        columns.push(Some(column));
    }
    if let Some(missing) = Column::REQUIRED.iter().find(|c| !seen.contains(c)) {
        return Err(FileError::MissingColumn(missing.as_str()));
    }

    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| unreadable(&e))?;
        if record.iter().all(str::is_empty) {
            continue; // blank lines, and the empty rows spreadsheets leave at the end
        }
        if rows.len() == MAX_IMPORT_ROWS {
            return Err(FileError::TooManyRows {
                rows: MAX_IMPORT_ROWS + 1,
                max: MAX_IMPORT_ROWS,
            });
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let shape_error = (record.len() != columns.len()).then(|| Problem::RowShape {
            values: record.len(),
            columns: columns.len(),
        });
        let values = columns
            .iter()
            .zip(record.iter())
            .filter_map(|(c, v)| c.map(|c| (c, v.to_string())))
            .collect();
        rows.push(RawRow {
            line,
            values,
            shape_error,
        });
    }
    if rows.is_empty() {
        return Err(FileError::Empty);
    }
    Ok(rows)
}

fn unreadable(e: &csv::Error) -> FileError {
    FileError::Unreadable {
        line: e.position().map(|p| p.line()).unwrap_or(0),
        message: e.to_string(),
    }
}

/// The line of a quoted field that never closes, if any. A quote opens a field only at its
/// start (as the csv reader treats `12" screen` as plain text); inside, `""` is a literal quote.
fn unclosed_quote(text: &str) -> Option<usize> {
    let mut line = 1;
    let mut opened_on: Option<usize> = None;
    let mut at_field_start = true;
    let mut bytes = text.bytes().peekable();
    while let Some(byte) = bytes.next() {
        if byte == b'\n' {
            line += 1;
        }
        match (opened_on, byte) {
            (None, b'"') if at_field_start => opened_on = Some(line),
            (Some(_), b'"') if bytes.peek() == Some(&b'"') => {
                bytes.next();
            }
            (Some(_), b'"') => opened_on = None,
            _ => {}
        }
        at_field_start = opened_on.is_none() && matches!(byte, b',' | b'\n' | b'\r');
    }
    opened_on
}

/// What the workflow looked up for the rows.
#[derive(Debug, Clone, Default)]
pub struct ImportFacts {
    /// Channel IDs and lower-case names (no `#`), each to its ID.
    pub channels: HashMap<String, ChannelId>,
    /// Sponsor values as written (lower-cased) to the person they name; absent = not found.
    pub sponsors: HashMap<String, UserId>,
    /// Who sponsors rows that name nobody (the importer).
    pub default_sponsor: Option<UserId>,
    /// Emails that already have an open request or account.
    pub taken: HashMap<String, (RequestId, RequestState)>,
    /// Phone numbers (E.164) of open requests and accounts.
    pub taken_phones: HashMap<String, (RequestId, RequestState)>,
    /// Emails of full members of the workspace: never invited as guests.
    pub members: std::collections::HashSet<String>,
    /// The approver who confirms the import, when known: rows they sponsor are refused, since
    /// nobody approves their own guests.
    pub approver: Option<UserId>,
}

/// A row that passed every check: ready to become an approved request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportGuest {
    pub line: u64,
    pub email: Email,
    pub full_name: String,
    pub organisation: String,
    pub guest_type: GuestType,
    pub channels: Vec<ChannelId>,
    pub expiry: Expiry,
    pub sponsor: UserId,
    /// Title, department, manager, employee id and phone, checked like the form's.
    pub profile: Profile,
}

/// A row left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: u64,
    pub email: String,
    pub reason: Problem,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportPreview {
    pub valid: Vec<ImportGuest>,
    pub invalid: Vec<RowProblem>,
    pub duplicates: Vec<RowProblem>,
}

impl ImportPreview {
    pub fn rows(&self) -> usize {
        self.valid.len() + self.invalid.len() + self.duplicates.len()
    }
}

/// Sorts every row into valid, invalid (with the reason) and duplicate (within the file, or
/// of an email that already has a request or account).
pub fn check_rows(
    rows: &[RawRow],
    facts: &ImportFacts,
    policy: &RequestPolicy,
    now: DateTime<Utc>,
    tz: Tz,
) -> ImportPreview {
    let mut preview = ImportPreview::default();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut first_phone: HashMap<String, u64> = HashMap::new();
    for row in rows {
        let raw_email = row.get(Column::Email).to_string();
        let problem = |reason: Problem| RowProblem {
            line: row.line,
            email: raw_email.clone(),
            reason,
        };
        if let Some(shape) = &row.shape_error {
            preview.invalid.push(problem(shape.clone()));
            continue;
        }
        let email = match check_email(&raw_email, policy) {
            Ok(email) => email,
            Err(reason) => {
                preview.invalid.push(problem(reason));
                continue;
            }
        };
        // Only a valid earlier row makes this one a duplicate: a corrected copy of a bad row
        // still counts.
        if let Some(first) = first_line.get(email.as_str()) {
            preview
                .duplicates
                .push(problem(Problem::SameEmailAsLine { line: *first }));
            continue;
        }
        if let Some((id, state)) = facts.taken.get(email.as_str()) {
            preview.duplicates.push(problem(Problem::AlreadyHas {
                id: id.to_string(),
                state: *state,
            }));
            continue;
        }
        if facts.members.contains(email.as_str()) {
            preview.invalid.push(problem(Problem::AlreadyFullMember {
                email: email.to_string(),
            }));
            continue;
        }
        match check_row(row, email, facts, policy, now, tz) {
            Ok(guest) if facts.approver.as_ref() == Some(&guest.sponsor) => {
                preview.invalid.push(problem(Problem::SponsorConfirms {
                    sponsor: guest.sponsor.to_string(),
                }))
            }
            Ok(guest) => {
                // One open request per phone, as per email: in the file, and held already.
                if let Some(phone) = &guest.profile.phone {
                    if let Some(first) = first_phone.get(phone) {
                        preview
                            .duplicates
                            .push(problem(Problem::SamePhoneAsLine { line: *first }));
                        continue;
                    }
                    if let Some((id, state)) = facts.taken_phones.get(phone) {
                        preview.duplicates.push(problem(Problem::PhoneHeldBy {
                            id: id.to_string(),
                            state: *state,
                        }));
                        continue;
                    }
                    first_phone.insert(phone.clone(), row.line);
                }
                first_line.insert(guest.email.as_str().to_string(), row.line);
                preview.valid.push(guest)
            }
            Err(reason) => preview.invalid.push(problem(reason)),
        }
    }
    preview
}

fn check_row(
    row: &RawRow,
    email: Email,
    facts: &ImportFacts,
    policy: &RequestPolicy,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<ImportGuest, Problem> {
    let full_name = clean_line(row.get(Column::Name));
    if full_name.is_empty() {
        return Err(Problem::Required.in_column(Column::Name));
    }
    if full_name.chars().count() > MAX_NAME_CHARS {
        return Err(Problem::TooLong {
            max: MAX_NAME_CHARS,
        }
        .in_column(Column::Name));
    }
    let organisation = clean_line(row.get(Column::Organisation));
    if organisation.chars().count() > MAX_ORGANISATION_CHARS {
        return Err(Problem::TooLong {
            max: MAX_ORGANISATION_CHARS,
        }
        .in_column(Column::Organisation));
    }
    let raw_type = row.get(Column::GuestType);
    let guest_type = match GuestType::parse(raw_type) {
        Some(t) if policy.guest_types.contains(&t) => t,
        Some(t) => return Err(Problem::GuestTypeNotAllowed { guest_type: t }),
        None if raw_type.is_empty() => return Err(Problem::Required.in_column(Column::GuestType)),
        None => {
            return Err(Problem::GuestTypeUnknown {
                raw: raw_type.to_string(),
            });
        }
    };
    let mut channels: Vec<ChannelId> = Vec::new();
    for name in row
        .get(Column::Channels)
        .split(';')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let key = name.trim_start_matches('#');
        let id = facts
            .channels
            .get(key)
            .or_else(|| facts.channels.get(&key.to_lowercase()))
            .ok_or_else(|| Problem::UnknownChannel {
                name: name.to_string(),
            })?;
        if !channels.contains(id) {
            channels.push(id.clone());
        }
    }
    check_channel_count(guest_type, channels.len(), policy)
        .map_err(|p| p.in_column(Column::Channels))?;
    let expiry = parse_expires(row.get(Column::Expires), now, tz)?;
    check_expiry(&expiry, policy, now).map_err(|p| p.in_column(Column::Expires))?;
    let sponsor = match row.get(Column::Sponsor) {
        "" => facts.default_sponsor.clone().ok_or(Problem::NoSponsor)?,
        raw => facts
            .sponsors
            .get(&raw.to_lowercase())
            .cloned()
            .ok_or_else(|| Problem::SponsorUnknown {
                raw: raw.to_string(),
            })?,
    };
    let manager = match row.get(Column::Manager) {
        "" => String::new(),
        raw => facts
            .sponsors
            .get(&raw.to_lowercase())
            .map(|u| u.to_string())
            .ok_or_else(|| Problem::ManagerUnknown {
                raw: raw.to_string(),
            })?,
    };
    let draft = ProfileDraft {
        title: row.get(Column::Title).to_string(),
        department: row.get(Column::Department).to_string(),
        manager,
        employee_id: row.get(Column::EmployeeId).to_string(),
        phone: row.get(Column::Phone).to_string(),
    };
    let profile = check_profile(&draft, &policy.profile).map_err(|problems| {
        let (field, problem) = problems
            .into_iter()
            .next()
            .expect("a refusal names a problem");
        match problem {
            // A phone names itself: "phone "0612" is not in E.164 form".
            Problem::PhoneInvalid => Problem::PhoneNotE164 {
                raw: draft.phone.clone(),
            },
            other => other.in_column(profile_column(field)),
        }
    })?;
    Ok(ImportGuest {
        line: row.line,
        email,
        full_name,
        organisation,
        guest_type,
        channels,
        expiry,
        sponsor,
        profile,
    })
}

/// The CSV column of a profile field (the header names are the configuration's).
fn profile_column(field: ProfileField) -> Column {
    match field {
        ProfileField::Title => Column::Title,
        ProfileField::Department => Column::Department,
        ProfileField::Manager => Column::Manager,
        ProfileField::EmployeeId => Column::EmployeeId,
        ProfileField::Phone => Column::Phone,
    }
}

/// `30d`, an ISO date (at the end of a working day, in `tz`), an ISO date-time (with an
/// offset, or else in `tz`), or `never`.
pub fn parse_expires(raw: &str, now: DateTime<Utc>, tz: Tz) -> Result<Expiry, Problem> {
    let raw = raw.trim();
    let bad = || Problem::ExpiresUnreadable {
        raw: raw.to_string(),
    };
    if raw.is_empty() {
        return Err(Problem::ExpiresMissing);
    }
    if raw.eq_ignore_ascii_case("never") {
        return Ok(Expiry::Never);
    }
    if let Some(days) = raw.strip_suffix(['d', 'D']) {
        return match days.trim().parse::<u32>() {
            Ok(days) if (1..=MAX_EXPIRY_DAYS).contains(&days) => Ok(Expiry::AfterDays { days }),
            _ => Err(bad()),
        };
    }
    let at = if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let time = NaiveTime::from_hms_opt(DEFAULT_EXPIRY_TIME.0, DEFAULT_EXPIRY_TIME.1, 0)
            .expect("valid default time");
        local_to_utc(date, time, tz).map_err(|e| Problem::from(e).in_column(Column::Expires))?
    } else if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        at.with_timezone(&Utc)
    } else {
        let local = [
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
        ]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .ok_or_else(bad)?;
        local_to_utc(local.date(), local.time(), tz)
            .map_err(|e| Problem::from(e).in_column(Column::Expires))?
    };
    if at <= now {
        return Err(Problem::ExpiresPast {
            raw: raw.to_string(),
        });
    }
    Ok(Expiry::At { at })
}

/// An E.164 number (`+` and up to 15 digits); spaces, dots, dashes and brackets are dropped.
pub fn check_phone(raw: &str) -> Result<String, Problem> {
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = compact.strip_prefix('+').unwrap_or("");
    let ok = (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(compact)
    } else {
        Err(Problem::PhoneNotE164 {
            raw: raw.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
    }

    fn facts() -> ImportFacts {
        ImportFacts {
            channels: HashMap::from([
                ("C1".to_string(), ChannelId::from("C1")),
                ("partners".to_string(), ChannelId::from("C1")),
                ("C2".to_string(), ChannelId::from("C2")),
                ("design".to_string(), ChannelId::from("C2")),
            ]),
            sponsors: HashMap::from([
                ("u9".to_string(), UserId::from("U9")),
                ("ana@corp.example".to_string(), UserId::from("U9")),
            ]),
            default_sponsor: Some(UserId::from("UIMPORTER")),
            taken: HashMap::from([(
                "held@partner.example".to_string(),
                (RequestId(7), RequestState::Active),
            )]),
            taken_phones: HashMap::from([(
                "+33612345678".to_string(),
                (RequestId(8), RequestState::Pending),
            )]),
            members: std::collections::HashSet::from(["otto@partner.example".to_string()]),
            approver: None,
        }
    }

    #[test]
    fn profile_columns_are_checked_like_the_form_and_phones_are_unique() {
        use crate::domain::profile::{ProfilePolicy, Requirement};
        let policy = RequestPolicy {
            profile: ProfilePolicy {
                title: Requirement::Required,
                manager: Requirement::Optional,
                ..ProfilePolicy::default()
            },
            ..RequestPolicy::default()
        };
        let csv = "email,name,guest_type,channels,expires,title,department,manager,employee_id,phone\n\
                   a@partner.example,Ann,single_channel,partners,30d,Consultant,Sales,ana@corp.example,E-1,+44 20 7946 0000\n\
                   b@partner.example,Bob,single_channel,partners,30d,,,,,\n\
                   c@partner.example,Cy,single_channel,partners,30d,Auditor,,nobody@corp.example,,\n\
                   d@partner.example,Di,single_channel,partners,30d,Auditor,,,,+442079460000\n\
                   e@partner.example,Ed,single_channel,partners,30d,Auditor,,,,+33 6 12 34 56 78\n";
        let rows = parse_csv(csv.as_bytes()).expect("readable");
        let p = check_rows(&rows, &facts(), &policy, now(), chrono_tz::UTC);
        assert_eq!(p.valid.len(), 1, "{p:#?}");
        let ann = &p.valid[0].profile;
        assert_eq!(ann.title.as_deref(), Some("Consultant"));
        assert_eq!(ann.department.as_deref(), Some("Sales"));
        assert_eq!(ann.manager, Some(UserId::from("U9")));
        assert_eq!(ann.employee_id.as_deref(), Some("E-1"));
        let invalid: HashMap<u64, &Problem> =
            p.invalid.iter().map(|d| (d.line, &d.reason)).collect();
        assert_eq!(invalid[&3], &Problem::Required.in_column(Column::Title));
        assert_eq!(
            invalid[&4],
            &Problem::ManagerUnknown {
                raw: "nobody@corp.example".into()
            }
        );
        let dups: HashMap<u64, &Problem> =
            p.duplicates.iter().map(|d| (d.line, &d.reason)).collect();
        assert_eq!(dups[&5], &Problem::SamePhoneAsLine { line: 2 });
        assert_eq!(
            dups[&6],
            &Problem::PhoneHeldBy {
                id: "#8".into(),
                state: RequestState::Pending
            }
        );
    }

    fn preview(csv: &str) -> ImportPreview {
        let policy = RequestPolicy {
            blocked_domains: vec!["blocked.example".into()],
            ..RequestPolicy::default()
        };
        let rows = parse_csv(csv.as_bytes()).expect("readable");
        check_rows(&rows, &facts(), &policy, now(), chrono_tz::UTC)
    }

    #[test]
    fn members_and_the_approvers_own_guests_are_refused() {
        let csv = "email,name,guest_type,channels,expires,sponsor\n\
                   otto@partner.example,Otto,single_channel,partners,30d,\n\
                   mine@partner.example,Mine,single_channel,partners,30d,\n\
                   theirs@partner.example,Theirs,single_channel,partners,30d,u9\n";
        let rows = parse_csv(csv.as_bytes()).expect("readable");
        let policy = RequestPolicy::default();
        let shared = check_rows(&rows, &facts(), &policy, now(), chrono_tz::UTC);
        assert_eq!(shared.valid.len(), 2);
        assert!(matches!(
            shared.invalid[0].reason,
            Problem::AlreadyFullMember { .. }
        ));
        let confirmed = check_rows(
            &rows,
            &ImportFacts {
                approver: Some(UserId::from("UIMPORTER")),
                ..facts()
            },
            &policy,
            now(),
            chrono_tz::UTC,
        );
        let valid: Vec<&str> = confirmed.valid.iter().map(|g| g.email.as_str()).collect();
        assert_eq!(valid, vec!["theirs@partner.example"]);
        assert!(matches!(
            confirmed.invalid[1].reason,
            Problem::SponsorConfirms { .. }
        ));
    }

    #[test]
    fn rows_are_sorted_into_valid_invalid_and_duplicates() {
        let p = preview(
            "Email,Name,guest_type,channels,expires,sponsor,phone,organization\n\
             a@partner.example,Ann,single_channel,#partners,30d,,+44 20 7946 0000,Partner\n\
             B@Partner.example,Bob,multi,partners;C2,2027-01-31,ana@corp.example,,\n\
             a@PARTNER.example ,Ann again,single_channel,partners,30d,,,\n\
             held@partner.example,Held,single_channel,partners,30d,,,\n\
             c@partner.example,Cy,single_channel,#nowhere,30d,,,\n\
             not-an-email,Dee,single_channel,partners,30d,,,\n\
             e@blocked.example,Eve,single_channel,partners,30d,,,\n\
             f@partner.example,Fay,single_channel,partners,400d,,,\n\
             g@partner.example,Gus,single_channel,partners;design,30d,,,\n\
             h@partner.example,Hal,single_channel,partners,30d,nobody@corp.example,,\n\
             i@partner.example,Ida,single_channel,partners,30d,,12345,\n\
             j@partner.example,Jo,single_channel,partners,2020-01-01,,,\n",
        );
        let valid: Vec<(u64, &str)> = p.valid.iter().map(|g| (g.line, g.email.as_str())).collect();
        assert_eq!(
            valid,
            vec![(2, "a@partner.example"), (3, "b@partner.example")]
        );
        assert_eq!(p.valid[0].profile.phone.as_deref(), Some("+442079460000"));
        assert_eq!(p.valid[0].sponsor, UserId::from("UIMPORTER"));
        assert_eq!(p.valid[0].organisation, "Partner");
        assert_eq!(p.valid[1].sponsor, UserId::from("U9"));
        assert_eq!(
            p.valid[1].channels,
            vec![ChannelId::from("C1"), ChannelId::from("C2")]
        );
        assert!(matches!(p.valid[1].expiry, Expiry::At { .. }));

        let dups: Vec<(u64, &Problem)> = p.duplicates.iter().map(|d| (d.line, &d.reason)).collect();
        assert_eq!(
            dups,
            vec![
                (4, &Problem::SameEmailAsLine { line: 2 }),
                (
                    5,
                    &Problem::AlreadyHas {
                        id: "#7".into(),
                        state: RequestState::Active
                    }
                )
            ]
        );
        let invalid: HashMap<u64, &Problem> =
            p.invalid.iter().map(|d| (d.line, &d.reason)).collect();
        assert_eq!(
            invalid[&6],
            &Problem::UnknownChannel {
                name: "#nowhere".into()
            }
        );
        assert_eq!(invalid[&7], &Problem::EmailInvalid);
        assert!(matches!(invalid[&8], Problem::DomainBlocked { .. }));
        assert_eq!(
            invalid[&9],
            &Problem::ExpiryTooLong { max_days: 90 }.in_column(Column::Expires)
        );
        assert_eq!(
            invalid[&10],
            &Problem::OneChannelOnly.in_column(Column::Channels)
        );
        assert!(matches!(invalid[&11], Problem::SponsorUnknown { .. }));
        assert!(matches!(invalid[&12], Problem::PhoneNotE164 { .. }));
        assert!(matches!(invalid[&13], Problem::ExpiresPast { .. }));
        assert_eq!(p.rows(), 12);
    }

    #[test]
    fn a_row_with_the_wrong_number_of_values_is_invalid_not_fatal() {
        let p = preview(
            "email,name,guest_type,channels,expires\n\
             a@partner.example,Ann,single_channel,partners\n\
             b@partner.example,Bob,single_channel,partners,30d\n",
        );
        assert_eq!(p.valid.len(), 1);
        assert_eq!(p.invalid[0].line, 2);
        assert_eq!(
            p.invalid[0].reason,
            Problem::RowShape {
                values: 4,
                columns: 5
            }
        );
    }

    #[test]
    fn unreadable_files_are_refused_whole() {
        let header = "email,name,guest_type,channels,expires\n";
        assert_eq!(parse_csv(b""), Err(FileError::Empty));
        assert_eq!(parse_csv(header.as_bytes()), Err(FileError::Empty));
        let latin1 = [header.as_bytes(), b"a@x.example,Ren\xe9,single,c,30d\n"].concat();
        assert_eq!(parse_csv(&latin1), Err(FileError::Encoding { line: 2 }));
        assert_eq!(
            parse_csv(b"\xFF\xFEe\0m\0"),
            Err(FileError::Encoding { line: 1 })
        );
        let open =
            format!("{header}a@x.example,\"Ann,single,c,30d\nb@x.example,Bob,single,c,30d\n");
        assert_eq!(
            parse_csv(open.as_bytes()),
            Err(FileError::UnbalancedQuotes { line: 2 })
        );
        assert_eq!(
            parse_csv(b"email,name,guest_type,channels,expires,shoe_size\n"),
            Err(FileError::UnknownColumn("shoe_size".into()))
        );
        assert_eq!(
            parse_csv(b"email,name,guest_type,expires\nx\n"),
            Err(FileError::MissingColumn("channels"))
        );
        assert_eq!(
            parse_csv(b"email,name,guest_type,channels,expires,Email\n"),
            Err(FileError::DuplicateColumn("Email".into()))
        );
        let big = vec![b'a'; MAX_IMPORT_BYTES as usize + 1];
        assert!(matches!(parse_csv(&big), Err(FileError::TooLarge { .. })));
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_text_and_empty_header_cells_are_ignored() {
        let rows = parse_csv(
            "email,name,organisation,guest_type,channels,expires,,\n\
             a@x.example,Ann,Acme 12\" Displays,single,c,30d,,\n\
             b@x.example,\"Bob \"\"B\"\"\",\"Multi\nline\",single,c,30d,,\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].get(Column::Organisation), "Acme 12\" Displays");
        assert_eq!(rows[1].get(Column::Name), "Bob \"B\"");
        assert_eq!(rows[1].get(Column::Organisation), "Multi\nline");
        assert_eq!(unclosed_quote("a,\"b\nc,d\n"), Some(1));
        assert_eq!(unclosed_quote("a,\"b\"\"\nc\n"), Some(1));
        assert_eq!(unclosed_quote("a,\"b\"\"\",c\n"), None);
    }

    #[test]
    fn a_corrected_copy_of_a_bad_row_is_not_a_duplicate() {
        let p = preview(
            "email,name,guest_type,channels,expires\n\
             a@partner.example,Ann,single_channel,#typo,30d\n\
             a@partner.example,Ann,single_channel,partners,30d\n\
             a@partner.example,Ann,single_channel,partners,30d\n",
        );
        assert_eq!(p.valid.len(), 1);
        assert_eq!(p.valid[0].line, 3);
        assert_eq!(p.invalid[0].line, 2);
        assert_eq!(p.duplicates[0].reason, Problem::SameEmailAsLine { line: 3 });
        assert!(parse_expires("4000000000d", now(), chrono_tz::UTC).is_err());
    }

    #[test]
    fn quoted_fields_and_a_bom_are_read() {
        let rows = parse_csv(
            "\u{FEFF}email,name,guest_type,channels,expires\n\
             a@x.example,\"Smith, \"\"Ann\"\"\",single,c,30d\n\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get(Column::Name), "Smith, \"Ann\"");
        assert_eq!(rows[0].line, 2);
    }

    #[test]
    fn expiry_forms() {
        let tz: Tz = "Europe/Paris".parse().unwrap();
        assert_eq!(
            parse_expires("30d", now(), tz),
            Ok(Expiry::AfterDays { days: 30 })
        );
        assert_eq!(parse_expires("NEVER", now(), tz), Ok(Expiry::Never));
        assert_eq!(
            parse_expires("2027-01-31", now(), tz),
            Ok(Expiry::At {
                at: Utc.with_ymd_and_hms(2027, 1, 31, 16, 0, 0).unwrap()
            })
        );
        assert_eq!(
            parse_expires("2027-01-31T09:30:00Z", now(), tz),
            Ok(Expiry::At {
                at: Utc.with_ymd_and_hms(2027, 1, 31, 9, 30, 0).unwrap()
            })
        );
        assert_eq!(
            parse_expires("2027-01-31 09:30", now(), tz),
            Ok(Expiry::At {
                at: Utc.with_ymd_and_hms(2027, 1, 31, 8, 30, 0).unwrap()
            })
        );
        assert!(parse_expires("0d", now(), tz).is_err());
        assert!(parse_expires("soon", now(), tz).is_err());
        assert!(parse_expires("", now(), tz).is_err());
    }

    #[test]
    fn phones() {
        assert_eq!(check_phone("+1 (415) 555-0100"), Ok("+14155550100".into()));
        assert!(check_phone("415 555 0100").is_err());
        assert!(check_phone("+0123").is_err());
        assert!(check_phone("+1234567890123456").is_err());
    }
}
