//! CSV import: the help, the preview with its button, progress and the outcome.

use super::*;
use crate::slack::ids::ImportConfirmation;

/// `/guest import`: how to import, with the header a file needs.
pub fn import_help(request_channel: Option<&crate::domain::ChannelId>, _lang: Lang) -> String {
    let place = request_channel
        .map(|c| format!("<#{c}>"))
        .unwrap_or_else(|| "the request channel".into());
    format!(
        "*Import guests from a CSV file*\nShare the file in {place}; I reply in its thread with a preview (valid rows, rows I cannot import and why, duplicates) and an *Import* button. Nothing is created before you press it.\nThe first row names the columns, in any order:\n```{}```\n• `email`, `name`, `guest_type` (`single_channel` or `multi_channel`), `channels` (names or IDs, separated by `;`) and `expires` (`30d`, `2027-03-31`, `2027-03-31T17:00:00Z` or `never`) are required.\n• `organisation`, `sponsor` (a user ID or email; you by default) and `phone` (E.164, such as `+14155550100`) are optional.\nFrom a shell: `guestlist import FILE --dry-run`.",
        crate::domain::import::template_header()
    )
}

/// The preview as a plain table: valid rows first, then the rows left out and why.
pub fn import_table(preview: &crate::domain::import::ImportPreview, max_lines: usize) -> String {
    let mut out = String::new();
    let mut shown = 0;
    let mut hidden = 0;
    let mut line = |text: String, out: &mut String| {
        if shown < max_lines {
            out.push_str(&text);
            out.push('\n');
            shown += 1;
        } else {
            hidden += 1;
        }
    };
    for g in &preview.valid {
        let channels: Vec<&str> = g.channels.iter().map(|c| c.as_str()).collect();
        line(
            format!(
                "line {:<5} import     {}  {} ({}, {}, {})  sponsor {}",
                g.line,
                g.email,
                g.full_name,
                g.guest_type.as_str(),
                channels.join(";"),
                expiry_words(&g.expiry),
                g.sponsor
            ),
            &mut out,
        );
    }
    for (label, problems) in [
        ("invalid  ", &preview.invalid),
        ("duplicate", &preview.duplicates),
    ] {
        for p in problems.iter() {
            line(
                format!(
                    "line {:<5} {label}  {}  {}",
                    p.line,
                    p.email,
                    crate::slack::say::problem(&p.reason, crate::i18n::Lang::En)
                ),
                &mut out,
            );
        }
    }
    if hidden > 0 {
        out.push_str(&format!("… and {hidden} more lines\n"));
    }
    out
}

fn expiry_words(expiry: &crate::domain::Expiry) -> String {
    match expiry {
        crate::domain::Expiry::AfterDays { days } => format!("{days} days after approval"),
        crate::domain::Expiry::At { at } => format!("until {}", at.format("%Y-%m-%d %H:%M UTC")),
        crate::domain::Expiry::Never => "no end".into(),
    }
}

/// One line of counts, e.g. "40 rows: 35 to import, 3 invalid, 2 duplicates".
pub fn import_counts(preview: &crate::domain::import::ImportPreview) -> String {
    format!(
        "{} rows: {} to import, {} invalid, {} duplicate{}",
        preview.rows(),
        preview.valid.len(),
        preview.invalid.len(),
        preview.duplicates.len(),
        if preview.duplicates.len() == 1 {
            ""
        } else {
            "s"
        }
    )
}

/// The preview posted in the file's thread, with the confirmation button (when any row is valid
/// and nobody has confirmed yet).
pub fn import_preview(
    preview: &crate::domain::import::ImportPreview,
    file_name: &str,
    confirmation: Option<&ImportConfirmation>,
    confirmed_by: Option<&crate::domain::UserId>,
) -> SlackMessageContent {
    let n = preview.valid.len();
    let text = format!(
        ":clipboard: *Import preview* of `{}`: {}. Nothing has been created yet.",
        safe(file_name, 100),
        import_counts(preview)
    );
    let table = import_table(preview, 40);
    let mut blocks = slack_blocks![
        some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
        some_into(
            SlackSectionBlock::new().with_text(md!("```{}```", code_block_text(&table, 2900)))
        )
    ];
    if let Some(who) = confirmed_by {
        blocks.push(SlackContextBlock::new(vec![md!("Import confirmed by <@{}>.", who)]).into());
    } else if let (true, Some(confirmation)) = (n > 0, confirmation) {
        let label = format!("Import {n} guest{}", if n == 1 { "" } else { "s" });
        blocks.push(
            SlackActionsBlock::new(slack_blocks![some_into(
                button(&label, &Button::ImportConfirm(confirmation.clone()))
                    .with_style(SlackBlockButtonStyle::Primary)
                    .with_confirm(confirm(
                        &label,
                        format!("{n} approved requests will be created, with you as the approver, and invitations sent. Rows left out stay out."),
                        "Import"
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
pub fn import_refused(
    file_name: &str,
    error: &crate::domain::import::FileError,
) -> SlackMessageContent {
    SlackMessageContent::new().with_text(format!(
        ":warning: I cannot import `{}`: {} Nothing was created.",
        safe(file_name, 100),
        escape(&crate::slack::say::file_error(error, crate::i18n::Lang::En))
    ))
}

pub fn import_progress(
    done: usize,
    total: usize,
    file_name: &str,
    importer: &crate::domain::UserId,
) -> String {
    format!(
        ":hourglass_flowing_sand: <@{importer}> is importing `{}`: {done} of {total} rows done.",
        safe(file_name, 100)
    )
}

pub fn import_done(
    imported: usize,
    skipped: usize,
    preview: &crate::domain::import::ImportPreview,
    file_name: &str,
    importer: &crate::domain::UserId,
) -> String {
    let mut text = format!(
        ":white_check_mark: <@{importer}> imported {imported} guest{} from `{}`; invitations go out through the usual queue.",
        if imported == 1 { "" } else { "s" },
        safe(file_name, 100)
    );
    if skipped > 0 {
        text.push_str(&format!(
            " {skipped} rows were skipped: their emails were taken since the preview."
        ));
    }
    let left_out = preview.invalid.len() + preview.duplicates.len();
    if left_out > 0 {
        text.push_str(&format!(
            " {left_out} rows were left out (see the preview)."
        ));
    }
    text
}
