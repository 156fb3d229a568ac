//! Text people typed, made safe for Slack's mrkdwn and Block Kit's size limits.
//!
//! Slack gives `&`, `<` and `>` control meaning (`<!channel>`, `<@U123>`, links), so those three
//! are escaped in everything user-supplied before it reaches a message. Nothing else needs to be.

/// Escapes `&`, `<`, `>` so user text can never ping, link or inject formatting controls.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Cuts `text` to at most `max` characters, ending in `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Escaped and cut to fit: the usual treatment for user text placed in a block.
pub fn safe(raw: &str, max: usize) -> String {
    // Cut first so an entity such as `&amp;` is never split in half.
    escape(&truncate(raw, max))
}

/// Collapses runs of whitespace and trims; for one-line fields such as names.
pub fn one_line(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Drops control characters (NUL included) from free text before it is stored; newlines and
/// tabs survive. One stray byte in a CSV row must not fail a database batch (Postgres refuses
/// NUL in text) or reach a card.
pub fn strip_controls(raw: &str) -> String {
    if !raw
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return raw.to_string();
    }
    raw.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// A one-line field (a name, an organisation): controls dropped, whitespace collapsed.
pub fn clean_line(raw: &str) -> String {
    one_line(&strip_controls(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_storage() {
        assert_eq!(strip_controls("Ada\u{0}Love\u{7}lace\u{9b}"), "AdaLovelace");
        assert_eq!(strip_controls("line one\nline\ttwo"), "line one\nline\ttwo");
        assert_eq!(clean_line(" Ada\u{0} \n Lovelace "), "Ada Lovelace");
        assert_eq!(strip_controls("plain"), "plain");
    }

    #[test]
    fn mentions_and_html_cannot_get_through() {
        assert_eq!(
            escape("<!channel> <@U123> & <script>"),
            "&lt;!channel&gt; &lt;@U123&gt; &amp; &lt;script&gt;"
        );
        assert_eq!(escape("plain *bold* _it_"), "plain *bold* _it_");
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        assert_eq!(truncate("héllo", 5), "héllo");
        assert_eq!(truncate("héllo wörld", 6), "héllo…");
        assert_eq!(safe("<<<<", 3), "&lt;&lt;…");
    }

    #[test]
    fn one_line_collapses_whitespace() {
        assert_eq!(one_line("  Ada \n\t Lovelace "), "Ada Lovelace");
    }
}
