//! The profile fields an administrator may ask for with each guest (job title, department,
//! manager, employee id, phone), each off, optional or required by configuration; they go on
//! the form, the card, the CSV import and the evidence export, and to the account (SCIM's
//! enterprise extension, Slack's profile).

use super::ids::UserId;
use super::import::check_phone;
use super::problem::Problem;
use super::text::clean_line;
use serde::{Deserialize, Serialize};

pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_DEPARTMENT_CHARS: usize = 100;
pub const MAX_EMPLOYEE_ID_CHARS: usize = 64;

/// One profile field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileField {
    Title,
    Department,
    Manager,
    EmployeeId,
    Phone,
}

impl ProfileField {
    pub const ALL: [ProfileField; 5] = [
        ProfileField::Title,
        ProfileField::Department,
        ProfileField::Manager,
        ProfileField::EmployeeId,
        ProfileField::Phone,
    ];

    /// The name in the configuration (`[profile]`) and the CSV header.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileField::Title => "title",
            ProfileField::Department => "department",
            ProfileField::Manager => "manager",
            ProfileField::EmployeeId => "employee_id",
            ProfileField::Phone => "phone",
        }
    }
}

/// Whether the form asks for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// Not on the form (a CSV column is still read when present).
    #[default]
    Off,
    Optional,
    Required,
}

impl Requirement {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "off" => Some(Requirement::Off),
            "optional" => Some(Requirement::Optional),
            "required" => Some(Requirement::Required),
            _ => None,
        }
    }

    pub fn shown(self) -> bool {
        self != Requirement::Off
    }
}

/// Which profile fields the form asks for, and which it requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProfilePolicy {
    pub title: Requirement,
    pub department: Requirement,
    pub manager: Requirement,
    pub employee_id: Requirement,
    pub phone: Requirement,
}

impl ProfilePolicy {
    pub fn requirement(&self, field: ProfileField) -> Requirement {
        match field {
            ProfileField::Title => self.title,
            ProfileField::Department => self.department,
            ProfileField::Manager => self.manager,
            ProfileField::EmployeeId => self.employee_id,
            ProfileField::Phone => self.phone,
        }
    }

    /// The fields the form shows, in order.
    pub fn shown(&self) -> impl Iterator<Item = (ProfileField, Requirement)> + '_ {
        ProfileField::ALL
            .into_iter()
            .map(|f| (f, self.requirement(f)))
            .filter(|(_, r)| r.shown())
    }
}

/// A guest's profile, as asked with the request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// A person of the workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<String>,
    /// E.164.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl Profile {
    pub fn is_empty(&self) -> bool {
        self == &Profile::default()
    }
}

/// The profile as typed (each field trimmed later).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileDraft {
    pub title: String,
    pub department: String,
    /// A user id (the form's user picker; a CSV's value is resolved to one first).
    pub manager: String,
    pub employee_id: String,
    pub phone: String,
}

/// Checks a profile against the policy; every problem comes with its field. A field the
/// policy turns off is not read from the form, but a value given anyway (a CSV column) is
/// checked and kept.
pub fn check_profile(
    draft: &ProfileDraft,
    policy: &ProfilePolicy,
) -> Result<Profile, Vec<(ProfileField, Problem)>> {
    let mut problems = Vec::new();
    let mut text = |field: ProfileField, raw: &str, max: usize| -> Option<String> {
        let value = clean_line(raw);
        if value.is_empty() {
            if policy.requirement(field) == Requirement::Required {
                problems.push((field, Problem::Required));
            }
            return None;
        }
        if value.chars().count() > max {
            problems.push((field, Problem::TooLong { max }));
            return None;
        }
        Some(value)
    };
    let title = text(ProfileField::Title, &draft.title, MAX_TITLE_CHARS);
    let department = text(
        ProfileField::Department,
        &draft.department,
        MAX_DEPARTMENT_CHARS,
    );
    let employee_id = text(
        ProfileField::EmployeeId,
        &draft.employee_id,
        MAX_EMPLOYEE_ID_CHARS,
    );
    let manager = text(ProfileField::Manager, &draft.manager, 32).map(UserId);
    let phone = match draft.phone.trim() {
        "" => {
            if policy.phone == Requirement::Required {
                problems.push((ProfileField::Phone, Problem::Required));
            }
            None
        }
        raw => match check_phone(raw) {
            Ok(phone) => Some(phone),
            Err(_) => {
                problems.push((ProfileField::Phone, Problem::PhoneInvalid));
                None
            }
        },
    };
    if problems.is_empty() {
        Ok(Profile {
            title,
            department,
            manager,
            employee_id,
            phone,
        })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ProfilePolicy {
        ProfilePolicy {
            title: Requirement::Required,
            department: Requirement::Optional,
            manager: Requirement::Optional,
            employee_id: Requirement::Off,
            phone: Requirement::Required,
        }
    }

    #[test]
    fn required_fields_must_be_filled_and_phones_are_e164() {
        let empty = check_profile(&ProfileDraft::default(), &policy()).unwrap_err();
        assert_eq!(
            empty,
            vec![
                (ProfileField::Title, Problem::Required),
                (ProfileField::Phone, Problem::Required)
            ]
        );
        let bad_phone = check_profile(
            &ProfileDraft {
                title: "Consultant".into(),
                phone: "0612345678".into(),
                ..ProfileDraft::default()
            },
            &policy(),
        )
        .unwrap_err();
        assert_eq!(
            bad_phone,
            vec![(ProfileField::Phone, Problem::PhoneInvalid)]
        );
        let ok = check_profile(
            &ProfileDraft {
                title: "  Consultant ".into(),
                department: "Sales".into(),
                manager: "U123".into(),
                employee_id: "E-7".into(),
                phone: "+33 6 12 34 56 78".into(),
            },
            &policy(),
        )
        .unwrap();
        assert_eq!(ok.title.as_deref(), Some("Consultant"));
        assert_eq!(ok.phone.as_deref(), Some("+33612345678"));
        assert_eq!(ok.manager, Some(UserId::from("U123")));
        // A value for a field the form does not ask for is still kept (a CSV column).
        assert_eq!(ok.employee_id.as_deref(), Some("E-7"));
    }

    #[test]
    fn long_values_are_refused() {
        let long = check_profile(
            &ProfileDraft {
                title: "x".repeat(101),
                phone: "+44 20 7946 0000".into(),
                ..ProfileDraft::default()
            },
            &policy(),
        )
        .unwrap_err();
        assert_eq!(
            long,
            vec![(ProfileField::Title, Problem::TooLong { max: 100 })]
        );
    }
}
