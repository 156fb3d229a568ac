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

/// Drops control characters (NUL included) and invisible format characters (Unicode category
/// Cf: bidi overrides such as U+202E, zero-width spaces and joiners, soft hyphens) from free
/// text before it is stored; newlines and tabs survive. One stray byte in a CSV row must not
/// fail a database batch (Postgres refuses NUL in text) or reach a card, and a name must read
/// on a card as it is, not reversed by an override.
pub fn strip_controls(raw: &str) -> String {
    let dropped = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_format(c);
    if !raw.chars().any(dropped) {
        return raw.to_string();
    }
    raw.chars().filter(|c| !dropped(*c)).collect()
}

fn is_format(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    c.general_category() == GeneralCategory::Format
}

/// Links in text from outside the company (the public page) made inert: a word with a scheme
/// (`https://`), a `www.` start or a host followed by a path is shown defanged
/// (`hxxps://evil[.]example/x`), so Slack shows it as text, not as a link to click.
pub fn inert_links(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(&defang(word));
        word.clear();
    };
    for c in raw.chars() {
        if c.is_whitespace() {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn defang(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let host_with_path = word
        .split_once('/')
        .is_some_and(|(host, _)| host.contains('.') && !host.contains('@') && !host.ends_with('.'));
    if !(lower.contains("://") || lower.starts_with("www.") || host_with_path) {
        return word.to_string();
    }
    let word = if lower.starts_with("http") {
        format!("hxxp{}", &word[4..])
    } else {
        word.to_string()
    };
    word.replace("://", "[://]").replace('.', "[.]")
}

/// A one-line field (a name, an organisation): controls dropped, whitespace collapsed.
pub fn clean_line(raw: &str) -> String {
    one_line(&strip_controls(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_characters_and_controls_are_dropped_newlines_kept() {
        assert_eq!(strip_controls("Ann\u{202E}moc.live"), "Annmoc.live");
        assert_eq!(strip_controls("a\u{200B}b\u{FEFF}c\u{00AD}d"), "abcd");
        assert_eq!(strip_controls("line\nnext\tcol\u{0000}"), "line\nnext\tcol");
        assert_eq!(strip_controls("Zoë Ångström"), "Zoë Ångström");
    }

    #[test]
    fn links_from_outside_are_shown_inert() {
        assert_eq!(
            inert_links("see https://evil.example/login now"),
            "see hxxps[://]evil[.]example/login now"
        );
        assert_eq!(inert_links("www.evil.example"), "www[.]evil[.]example");
        assert_eq!(inert_links("evil.example/pay"), "evil[.]example/pay");
        assert_eq!(
            inert_links("J.R.R. Tolkien, Acme Inc."),
            "J.R.R. Tolkien, Acme Inc."
        );
        assert_eq!(
            inert_links("mail ann@partner.example"),
            "mail ann@partner.example"
        );
    }

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
