//! Database URLs in logs and errors: their secrets replaced.

/// `text` with the URL's secrets (password, `password=`) replaced, wherever they appear.
pub(super) fn scrub_secrets(text: &str, url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url) else {
        return "(the database URL could not be read)".to_string();
    };
    let mut secrets: Vec<String> = parsed.password().map(str::to_string).into_iter().collect();
    secrets.extend(
        parsed
            .query_pairs()
            .filter(|(k, _)| is_secret_param(k))
            .map(|(_, v)| v.to_string()),
    );
    let mut out = text.replace(url, &redact_url(url));
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret.as_str(), "REDACTED");
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        out = out.replace(&encoded, "REDACTED");
    }
    out
}

/// Hides the password of a database URL for logs and `config check`: the one in the user
/// part, and a `password=` query parameter (libpq and sqlx accept both).
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        // Not a URL we can take apart: say nothing of what is in it.
        return "(unparseable URL)".to_string();
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("REDACTED"));
    }
    if parsed.query_pairs().any(|(k, _)| is_secret_param(&k)) {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_secret_param(&k) {
                    "REDACTED".to_string()
                } else {
                    v.to_string()
                };
                (k.to_string(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

fn is_secret_param(key: &str) -> bool {
    matches!(
        key.to_ascii_lowercase().as_str(),
        "password" | "sslpassword" | "passfile" | "sslkey"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_never_show_their_passwords() {
        let url = "postgres://app:s3cr3t-pw@db.internal:5432/guestlist?sslmode=require&password=other-s3cr3t";
        let shown = redact_url(url);
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("db.internal") && shown.contains("sslmode=require"));
        assert_eq!(redact_url("not a url s3cr3t"), "(unparseable URL)");
        let message = format!("error with configuration: {url}: bad s3cr3t-pw");
        assert!(!scrub_secrets(&message, url).contains("s3cr3t"));
    }
}
