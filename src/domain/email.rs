//! Guest email addresses: one account per address, so they are compared trimmed and case-folded.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("enter an email address")]
    Empty,
    #[error("that is not a valid email address")]
    Invalid,
    #[error("an email address has at most 254 characters")]
    TooLong,
}

impl Email {
    /// Trims, lowercases and checks the usual syntax (RFC 5321 sizes, dot-atom local part,
    /// a dotted host name). Quoted local parts and IP literals are refused on purpose: Slack
    /// invitations go to ordinary mailboxes.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        // Most addresses arrive trimmed and in lower case (every stored one does): no new String.
        let trimmed = raw.trim();
        let email = if trimmed
            .bytes()
            .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
        {
            trimmed.to_lowercase()
        } else {
            trimmed.to_string()
        };
        if email.is_empty() {
            return Err(EmailError::Empty);
        }
        if email.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = email.rsplit_once('@').ok_or(EmailError::Invalid)?;
        if !valid_local(local) || !valid_domain(domain) {
            return Err(EmailError::Invalid);
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }

    /// True when the address is at `domain` or one of its subdomains.
    pub fn is_in_domain(&self, domain: &str) -> bool {
        let domain = domain.trim().trim_start_matches('@').to_lowercase();
        let own = self.domain();
        own == domain || own.ends_with(&format!(".{domain}"))
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn valid_local(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-.";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let email = Email::parse("  Ada.Lovelace@Example.COM \n").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
        assert_eq!(email.domain(), "example.com");
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "   ",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "ada@exa mple.com",
            "a..b@example.com",
            ".ada@example.com",
            "ada@-example.com",
            "ada@example.c",
            "<script>@example.com",
            "ada@example.com>",
            "ada@123.456",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn accepts_common_shapes() {
        for good in [
            "a@b.co",
            "first.last+tag@sub.example.org",
            "o'brien@example.ie",
            "x_y-z@ex-ample.com",
        ] {
            assert!(Email::parse(good).is_ok(), "{good:?} should be accepted");
        }
    }

    #[test]
    fn domain_match_includes_subdomains_only() {
        let email = Email::parse("a@eu.partner.com").unwrap();
        assert!(email.is_in_domain("partner.com"));
        assert!(email.is_in_domain("@Partner.com"));
        assert!(!email.is_in_domain("artner.com"));
        assert!(!email.is_in_domain("eu.partner.com.evil"));
    }
}
