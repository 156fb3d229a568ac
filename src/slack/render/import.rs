//! CSV import: the help, the preview with its button, progress and the outcome.

use super::*;
use crate::domain::UserId;
use crate::domain::import::{FileError, ImportPreview};
use crate::slack::ids::ImportConfirmation;

/// `/guest import`: how to import, with the header a file needs.
pub fn import_help(request_channel: Option<&crate::domain::ChannelId>, lang: Lang) -> String {
    let place = request_channel
        .map(crate::slack::say::channel)
        .unwrap_or_else(|| t!(lang, "import-help-request-channel"));
    t!(
        lang,
        "import-help",
        place = place,
        header = crate::domain::import::template_header()
    )
}

/// The preview as a plain table: valid rows first, then the rows left out and why.
pub fn import_table(preview: &ImportPreview, max_lines: usize, lang: Lang) -> String {
    let mut out = String::new();
    let mut shown = 0;
    let mut hidden = 0usize;
    let mut line = |text: String, out: &mut String| {
        if shown < max_lines {
            out.push_str(&text);
            out.push('\n');
            shown += 1;
        } else {
            hidden += 1;
        }
    };
    let word = t!(lang, "import-table-line");
    let labels = [
        t!(lang, "import-table-import"),
        t!(lang, "import-table-invalid"),
        t!(lang, "import-table-duplicate"),
    ];
    // The labels share one column.
    let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    for g in &preview.valid {
        let channels: Vec<&str> = g.channels.iter().map(|c| c.as_str()).collect();
        line(
            format!(
                "{word} {:<5} {:<width$}  {}  {} ({}, {}, {})  {}",
                g.line,
                labels[0],
                g.email,
                g.full_name,
                g.guest_type.as_str(),
                channels.join(";"),
                expiry_words(&g.expiry, lang),
                t!(
                    lang,
                    "import-table-sponsor",
                    sponsor = g.sponsor.to_string()
                )
            ),
            &mut out,
        );
    }
    for (label, problems) in [
        (&labels[1], &preview.invalid),
        (&labels[2], &preview.duplicates),
    ] {
        for p in problems.iter() {
            line(
                format!(
                    "{word} {:<5} {label:<width$}  {}  {}",
                    p.line,
                    p.email,
                    crate::slack::say::problem(&p.reason, lang)
                ),
                &mut out,
            );
        }
    }
    if hidden > 0 {
        out.push_str(&t!(lang, "import-more-lines", count = hidden));
        out.push('\n');
    }
    out
}

fn expiry_words(expiry: &crate::domain::Expiry, lang: Lang) -> String {
    match expiry {
        crate::domain::Expiry::AfterDays { days } => {
            t!(lang, "import-expiry-after-days", days = *days)
        }
        crate::domain::Expiry::At { at } => t!(
            lang,
            "import-expiry-until",
            at = at.format("%Y-%m-%d %H:%M UTC").to_string()
        ),
        crate::domain::Expiry::Never => t!(lang, "import-expiry-never"),
    }
}

/// One line of counts, e.g. "40 rows: 35 to import, 3 invalid, 2 duplicates".
pub fn import_counts(preview: &ImportPreview, lang: Lang) -> String {
    t!(
        lang,
        "import-counts",
        rows = preview.rows(),
        valid = preview.valid.len(),
        invalid = preview.invalid.len(),
        duplicates = preview.duplicates.len()
    )
}

/// The preview posted in the file's thread, with the confirmation button (when any row is valid
/// and nobody has confirmed yet).
pub fn import_preview(
    preview: &ImportPreview,
    file_name: &str,
    confirmation: Option<&ImportConfirmation>,
    confirmed_by: Option<&UserId>,
    lang: Lang,
) -> SlackMessageContent {
    let n = preview.valid.len();
    let text = t!(
        lang,
        "import-preview",
        file = safe(file_name, 100),
        counts = import_counts(preview, lang)
    );
    let table = import_table(preview, 40, lang);
    let mut blocks = slack_blocks![
        some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
        some_into(
            SlackSectionBlock::new().with_text(md!("```{}```", code_block_text(&table, 2900)))
        )
    ];
    if let Some(who) = confirmed_by {
        blocks.push(
            SlackContextBlock::new(vec![md!(
                "{}",
                t!(
                    lang,
                    "import-confirmed-by",
                    who = crate::slack::say::mention(who)
                )
            )])
            .into(),
        );
    } else if let (true, Some(confirmation)) = (n > 0, confirmation) {
        let label = t!(lang, "import-button", count = n);
        blocks.push(
            SlackActionsBlock::new(slack_blocks![some_into(
                button(&label, &Button::ImportConfirm(confirmation.clone()))
                    .with_style(SlackBlockButtonStyle::Primary)
                    .with_confirm(confirm_in(
                        &label,
                        t!(lang, "import-confirm-text", count = n),
                        &t!(lang, "import-confirm-yes"),
                        lang
                    ))
            )])
            .into(),
        );
    }
    SlackMessageContent::new()
        .with_text(text)
        .with_blocks(blocks)
}

/// A file refused whole.
pub fn import_refused(file_name: &str, error: &FileError, lang: Lang) -> SlackMessageContent {
    SlackMessageContent::new().with_text(t!(
        lang,
        "import-refused",
        file = safe(file_name, 100),
        reason = escape(&crate::slack::say::file_error(error, lang))
    ))
}

pub fn import_progress(
    done: usize,
    total: usize,
    file_name: &str,
    importer: &UserId,
    lang: Lang,
) -> String {
    t!(
        lang,
        "import-progress",
        who = crate::slack::say::mention(importer),
        file = safe(file_name, 100),
        done = done,
        total = total
    )
}

pub fn import_done(
    imported: usize,
    skipped: usize,
    preview: &ImportPreview,
    file_name: &str,
    importer: &UserId,
    lang: Lang,
) -> String {
    let mut text = t!(
        lang,
        "import-done",
        who = crate::slack::say::mention(importer),
        count = imported,
        file = safe(file_name, 100)
    );
    if skipped > 0 {
        text.push(' ');
        text.push_str(&t!(lang, "import-done-skipped", count = skipped));
    }
    let left_out = preview.invalid.len() + preview.duplicates.len();
    if left_out > 0 {
        text.push(' ');
        text.push_str(&t!(lang, "import-done-left-out", count = left_out));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::{ImportGuest, RowProblem};
    use crate::domain::problem::Problem;
    use crate::domain::{ChannelId, Email, Expiry};

    fn preview() -> ImportPreview {
        let guest = |line: u64, email: &str, name: &str, expiry: Expiry| ImportGuest {
            line,
            email: Email::parse(email).unwrap(),
            full_name: name.into(),
            organisation: "Vendor".into(),
            guest_type: GuestType::MultiChannel,
            channels: vec![ChannelId::from("C1"), ChannelId::from("C2")],
            expiry,
            sponsor: UserId::from("USPON"),
            profile: Default::default(),
        };
        ImportPreview {
            valid: vec![
                guest(
                    2,
                    "ann@vendor.example",
                    "Ann <Vendor>",
                    Expiry::AfterDays { days: 30 },
                ),
                guest(
                    3,
                    "bob@vendor.example",
                    "Bob",
                    Expiry::At {
                        at: "2027-03-31T17:00:00Z".parse().unwrap(),
                    },
                ),
            ],
            invalid: vec![RowProblem {
                line: 4,
                email: "carl@vendor.example".into(),
                reason: Problem::UnknownChannel {
                    name: "#nowhere".into(),
                },
            }],
            duplicates: vec![RowProblem {
                line: 5,
                email: "ann@vendor.example".into(),
                reason: Problem::SameEmailAsLine { line: 2 },
            }],
        }
    }

    fn confirmation() -> ImportConfirmation {
        ImportConfirmation {
            file_id: "F1".into(),
            digest: "abc".into(),
            thread_ts: "1.1".into(),
            sharer: Some("USPON".into()),
        }
    }

    #[test]
    fn import_preview_snapshots() {
        for lang in Lang::ALL {
            // The French rows' problems are worded by `problems.ftl` (another area): the
            // French snapshot keeps to the rows this area words itself.
            let mut preview = preview();
            if lang == Lang::Fr {
                preview.invalid.clear();
                preview.duplicates.clear();
            }
            let content = import_preview(
                &preview,
                "guests <march>.csv",
                Some(&confirmation()),
                None,
                lang,
            );
            insta::assert_json_snapshot!(format!("import_preview_{lang}"), content);
        }
    }

    #[test]
    fn counts_and_outcome_use_plurals() {
        let mut one = preview();
        one.valid.truncate(1);
        one.invalid.clear();
        assert_eq!(
            import_counts(&preview(), Lang::En),
            "4 rows: 2 to import, 1 invalid, 1 duplicate"
        );
        assert_eq!(
            import_counts(&one, Lang::Fr),
            "2 lignes : 1 à importer, 0 invalide, 1 doublon"
        );
        let done = import_done(1, 0, &one, "a.csv", &UserId::from("U1"), Lang::En);
        assert_eq!(
            done,
            ":white_check_mark: <@U1> imported 1 guest from `a.csv`; invitations go out through the usual queue. 1 rows were left out (see the preview)."
        );
        let done = import_done(2, 1, &one, "a.csv", &UserId::from("U1"), Lang::Fr);
        assert_eq!(
            done,
            ":white_check_mark: <@U1> a importé 2 invités depuis `a.csv` ; les invitations partent par la file d'attente habituelle. 1 ligne a été ignorée : son adresse e-mail a été prise entre-temps, depuis l'aperçu. 1 ligne a été écartée (voir l'aperçu)."
        );
    }

    #[test]
    fn the_table_keeps_its_columns_in_each_language() {
        let en = import_table(&preview(), 3, Lang::En);
        assert!(
            en.starts_with("line 2     import     ann@vendor.example  Ann <Vendor> (multi_channel, C1;C2, 30 days after approval)  sponsor USPON\n"),
            "{en}"
        );
        assert!(
            en.contains("line 4     invalid    carl@vendor.example  "),
            "{en}"
        );
        assert!(en.ends_with("… and 1 more lines\n"), "{en}");
        let fr = import_table(&preview(), 40, Lang::Fr);
        assert!(
            fr.contains("ligne 3     importer  bob@vendor.example  Bob (multi_channel, C1;C2, jusqu'au 2027-03-31 17:00 UTC)  parrain USPON"),
            "{fr}"
        );
        assert!(
            fr.contains("ligne 5     doublon   ann@vendor.example"),
            "{fr}"
        );
    }

    #[test]
    fn help_in_french() {
        let help = import_help(None, Lang::Fr);
        assert!(help.starts_with("*Importer des invités depuis un fichier CSV*\nPartagez le fichier dans le canal des demandes ;"), "{help}");
        assert!(help.contains(&crate::domain::import::template_header()));
        let en = import_help(Some(&crate::domain::ChannelId::from("CREQ")), Lang::En);
        assert!(en.contains("Share the file in <#CREQ>; I reply"), "{en}");
        assert!(
            en.ends_with("From a shell: `guestlist import FILE --dry-run`."),
            "{en}"
        );
    }
}
