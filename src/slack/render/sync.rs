//! Group sync: plans as tables, run summaries, plans the guard held.

use super::*;
use crate::domain::sync::{LineAction, Plan, SyncStage};

/// A plan's action, as the table shows it.
fn action_word(action: LineAction, lang: Lang) -> String {
    match action {
        LineAction::Invite => t!(lang, "sync-action-invite"),
        LineAction::Revoke => t!(lang, "sync-action-revoke"),
        LineAction::Unchanged => t!(lang, "sync-action-unchanged"),
        LineAction::AlreadyMember => t!(lang, "sync-action-already-member"),
    }
}

/// A plan as a fixed-width table (for the CLI and Slack code blocks): rule, action, email, reason.
/// Unchanged lines are left out unless `all`; at most `max_lines` lines.
pub fn plan_table(plans: &[Plan], all: bool, max_lines: usize, lang: Lang) -> String {
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut hidden = 0usize;
    for plan in plans {
        for line in plan
            .lines
            .iter()
            .filter(|l| all || l.action != LineAction::Unchanged)
        {
            if rows.len() < max_lines {
                rows.push([
                    plan.rule.clone(),
                    action_word(line.action, lang),
                    line.email.to_string(),
                    crate::slack::say::line_reason(&line.reason, lang),
                ]);
            } else {
                hidden += 1;
            }
        }
    }
    let header = [
        t!(lang, "sync-table-rule"),
        t!(lang, "sync-table-action"),
        t!(lang, "sync-table-email"),
        t!(lang, "sync-table-reason"),
    ];
    let widths: Vec<usize> = (0..3)
        .map(|i| {
            rows.iter()
                .chain(std::iter::once(&header))
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows.iter()) {
        out.push_str(&format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {}\n",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        ));
    }
    if hidden > 0 {
        out.push_str(&t!(lang, "sync-more-lines", count = hidden));
        out.push('\n');
    }
    for plan in plans {
        out.push_str(&t!(
            lang,
            "sync-plan-counts",
            rule = plan.rule.as_str(),
            invite = plan.count(LineAction::Invite),
            revoke = plan.count(LineAction::Revoke),
            unchanged = plan.count(LineAction::Unchanged),
            members = plan.count(LineAction::AlreadyMember)
        ));
        out.push('\n');
    }
    out
}

/// The one message an applied sync run posts.
pub fn sync_summary(
    plan: &Plan,
    invited: usize,
    revoked: usize,
    lang: Lang,
) -> SlackMessageContent {
    let text = t!(
        lang,
        "sync-summary",
        rule = escape(&plan.rule),
        invited = invited,
        revoked = revoked,
        unchanged = plan.count(LineAction::Unchanged),
        members = plan.count(LineAction::AlreadyMember)
    );
    let table = plan_table(std::slice::from_ref(plan), false, 15, lang);
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(
                SlackSectionBlock::new().with_text(md!("```{}```", code_block_text(&table, 2900)))
            )
        ])
}

/// A plan the blast-radius guard held, with the button that applies it anyway.
pub fn held_plan(
    plan: &Plan,
    plan_id: i64,
    changes: usize,
    limit: usize,
    mentions: &str,
    lang: Lang,
) -> SlackMessageContent {
    let text = t!(
        lang,
        "sync-held",
        rule = escape(&plan.rule),
        changes = changes,
        limit = limit,
        mentions = mentions
    );
    let table = plan_table(std::slice::from_ref(plan), false, 20, lang);
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(
                SlackSectionBlock::new().with_text(md!("```{}```", code_block_text(&table, 2900)))
            ),
            some_into(SlackActionsBlock::new(slack_blocks![some_into(
                button(
                    &t!(lang, "sync-held-apply"),
                    &Button::ApplySyncPlan(plan_id)
                )
                .with_style(SlackBlockButtonStyle::Danger)
                .with_confirm(confirm_in(
                    &t!(lang, "sync-held-confirm-title"),
                    t!(lang, "sync-held-confirm-text", changes = changes),
                    &t!(lang, "sync-held-confirm-yes"),
                    lang
                ))
            )]))
        ])
}

fn run_title(dry_run: bool, lang: Lang) -> String {
    if dry_run {
        t!(lang, "sync-preview-title")
    } else {
        t!(lang, "sync-run-title")
    }
}

/// The progress line of a run someone started from Slack (replaced as the run goes on).
pub fn sync_progress_text(stage: &SyncStage, dry_run: bool, lang: Lang) -> String {
    let what = run_title(dry_run, lang);
    match stage {
        SyncStage::Directory { pages, people } => t!(
            lang,
            "sync-progress-directory",
            what = what,
            people = *people,
            pages = *pages
        ),
        SyncStage::Applying { rule, done, total } => t!(
            lang,
            "sync-progress-applying",
            what = what,
            rule = escape(rule),
            done = *done,
            total = *total
        ),
    }
}

/// The answer to `/guest sync preview|now`.
pub fn sync_outcome_text(
    plans: &[Plan],
    dry_run: bool,
    held: &[(String, usize, usize)],
    lang: Lang,
) -> String {
    if plans.is_empty() {
        return t!(lang, "sync-no-rules");
    }
    let mut out = if dry_run {
        t!(lang, "sync-outcome-preview")
    } else {
        t!(lang, "sync-outcome-run")
    };
    out.push('\n');
    out.push_str(&format!(
        "```{}```",
        code_block_text(&plan_table(plans, false, 30, lang), 3500)
    ));
    for (rule, changes, limit) in held {
        out.push('\n');
        out.push_str(&t!(
            lang,
            "sync-outcome-held",
            rule = escape(rule),
            changes = *changes,
            limit = *limit
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Email;
    use crate::domain::sync::{LineReason, PlanLine};

    fn plan() -> Plan {
        let line = |email: &str, action: LineAction, reason: LineReason| PlanLine {
            email: Email::parse(email).unwrap(),
            action,
            reason,
            user_id: None,
            name: None,
            org_member: false,
            request_id: None,
        };
        Plan {
            rule: "partners".into(),
            lines: vec![
                line("ann@partner.io", LineAction::Invite, LineReason::NotInvited),
                line(
                    "bob@partner.io",
                    LineAction::Revoke,
                    LineReason::LeftWithdrawn,
                ),
                line(
                    "cat@partner.io",
                    LineAction::AlreadyMember,
                    LineReason::InTarget,
                ),
                line(
                    "dan@partner.io",
                    LineAction::Unchanged,
                    LineReason::LeftKept,
                ),
            ],
            covered: 4,
        }
    }

    #[test]
    fn held_plan_snapshots() {
        for lang in Lang::ALL {
            let content = held_plan(&plan(), 7, 2, 1, "<@UAPP>", lang);
            insta::assert_json_snapshot!(format!("held_plan_{lang}"), content);
        }
    }

    #[test]
    fn plan_table_in_each_language() {
        let en = plan_table(&[plan()], false, 2, Lang::En);
        assert_eq!(
            en,
            "RULE      ACTION  EMAIL           REASON\n\
             partners  invite  ann@partner.io  in the source, no invitation yet\n\
             partners  revoke  bob@partner.io  left the source; invitation withdrawn\n\
             … and 1 more lines\n\
             partners: 1 to invite, 1 to revoke, 1 unchanged, 1 already members\n"
        );
        let fr = plan_table(&[plan()], true, 10, Lang::Fr);
        assert!(
            fr.contains(
                "partners  déjà membre  cat@partner.io  déjà dans l'espace de travail cible"
            ),
            "{fr}"
        );
        assert!(
            fr.ends_with("partners : 1 à inviter, 1 à révoquer, 1 inchangé, 1 déjà membre\n"),
            "{fr}"
        );
    }

    #[test]
    fn progress_and_outcome() {
        let stage = SyncStage::Directory {
            pages: 1,
            people: 3,
        };
        assert_eq!(
            sync_progress_text(&stage, false, Lang::En),
            ":hourglass_flowing_sand: *Sync run*: reading the directory (3 people in 1 page so far)…"
        );
        let stage = SyncStage::Directory {
            pages: 2,
            people: 1,
        };
        assert_eq!(
            sync_progress_text(&stage, true, Lang::Fr),
            ":hourglass_flowing_sand: *Aperçu de la synchronisation* : lecture de l'annuaire (1 personne sur 2 pages jusqu'ici)…"
        );
        let held = [("partners".to_string(), 2, 1)];
        let en = sync_outcome_text(&[plan()], true, &held, Lang::En);
        assert!(
            en.starts_with("*Sync preview* (nothing was changed):\n```RULE"),
            "{en}"
        );
        assert!(
            en.ends_with("```\n:raised_hand: *partners*: 2 changes exceed the limit of 1; the plan waits for an approver."),
            "{en}"
        );
        let fr = sync_outcome_text(&[], false, &[], Lang::Fr);
        assert_eq!(
            fr,
            "Aucune règle de synchronisation n'est configurée (`[[sync]]` dans guestlist.toml)."
        );
    }
}
