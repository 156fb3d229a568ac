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

/// Escaped and cut to fit: the usual treatment for user text placed in a block. The result,
/// entities included, is at most `max` characters (Slack counts what it receives: a reason of
/// 1,000 `&` is 5,000 characters once escaped), and it is cut between characters of the raw
/// text, so an entity such as `&amp;` is never split in half.
pub fn safe(raw: &str, max: usize) -> String {
    let escaped = escape(raw);
    if escaped.chars().count() <= max {
        return escaped;
    }
    let room = max.saturating_sub(1);
    let mut out = String::with_capacity(room + 3);
    let mut used = 0;
    for c in raw.chars() {
        let piece = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            _ => "",
        };
        let width = if piece.is_empty() { 1 } else { piece.len() };
        if used + width > room {
            break;
        }
        used += width;
        if piece.is_empty() {
            out.push(c);
        } else {
            out.push_str(piece);
        }
    }
    out.push('…');
    out
}

/// Cuts finished mrkdwn (already escaped, with Guestlist's own `<@U…>` and `<!date…>`) to at
/// most `max` characters for a Block Kit field, ending in `…` when cut, never inside an entity
/// (`&amp;`) or a control (`<@U1>`), which would otherwise show as garbage or a broken mention.
pub fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    // Back off from a control or an entity left open by the cut.
    if let Some(open) = cut.rfind('<')
        && !cut[open..].contains('>')
    {
        cut.truncate(open);
    }
    if let Some(amp) = cut.rfind('&')
        && !cut[amp..].contains(';')
    {
        cut.truncate(amp);
    }
    cut.push('…');
    cut
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
    fn safe_text_fits_its_limit_once_escaped_and_never_splits_an_entity() {
        let cut = safe(&"&<>".repeat(400), 1000);
        assert!(cut.chars().count() <= 1000, "{}", cut.chars().count());
        assert!(cut.ends_with('…'));
        let body = cut.trim_end_matches('…');
        assert_eq!(
            body.replace("&amp;", "")
                .replace("&lt;", "")
                .replace("&gt;", ""),
            ""
        );
        assert_eq!(safe("a < b", 10), "a &lt; b");
        assert_eq!(safe("abcdef", 4), "abc…");
    }

    #[test]
    fn finished_text_is_cut_between_entities_and_controls() {
        assert_eq!(fit("short", 10), "short");
        assert_eq!(fit("ab &amp; cd", 6), "ab …");
        assert_eq!(fit("hi <@U123> there", 8), "hi …");
        let long = format!("{} <@U1>", "&lt;".repeat(1000));
        let cut = fit(&long, 300);
        assert!(cut.chars().count() <= 300);
        assert!(cut.trim_end_matches('…').ends_with("&lt;"), "{cut}");
    }

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
        // The limit counts what Slack receives: the entities, not the characters typed.
        assert_eq!(safe("<<<<", 9), "&lt;&lt;…");
        assert_eq!(safe("<<<<", 3), "…");
    }

    #[test]
    fn one_line_collapses_whitespace() {
        assert_eq!(one_line("  Ada \n\t Lovelace "), "Ada Lovelace");
    }
}
