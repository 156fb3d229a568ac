//! Group sync: plans as tables, run summaries, plans the guard held.

use super::*;

/// A plan as a fixed-width table (for the CLI and Slack code blocks): rule, action, email, reason.
/// Unchanged lines are left out unless `all`; at most `max_lines` lines.
pub fn plan_table(plans: &[crate::domain::sync::Plan], all: bool, max_lines: usize) -> String {
    use crate::domain::sync::LineAction;
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut hidden = 0;
    for plan in plans {
        for line in plan
            .lines
            .iter()
            .filter(|l| all || l.action != LineAction::Unchanged)
        {
            if rows.len() < max_lines {
                rows.push([
                    plan.rule.clone(),
                    line.action.as_str().to_string(),
                    line.email.to_string(),
                    crate::slack::say::line_reason(&line.reason, crate::i18n::Lang::En),
                ]);
            } else {
                hidden += 1;
            }
        }
    }
    let header = [
        "RULE".to_string(),
        "ACTION".to_string(),
        "EMAIL".to_string(),
        "REASON".to_string(),
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
        out.push_str(&format!("… and {hidden} more lines\n"));
    }
    for plan in plans {
        out.push_str(&format!(
            "{}: {} to invite, {} to revoke, {} unchanged, {} already members\n",
            plan.rule,
            plan.count(LineAction::Invite),
            plan.count(LineAction::Revoke),
            plan.count(LineAction::Unchanged),
            plan.count(LineAction::AlreadyMember)
        ));
    }
    out
}

/// The one message an applied sync run posts.
pub fn sync_summary(
    plan: &crate::domain::sync::Plan,
    invited: usize,
    revoked: usize,
) -> SlackMessageContent {
    use crate::domain::sync::LineAction;
    let text = format!(
        ":arrows_counterclockwise: Group sync *{}*: {invited} invited, {revoked} revoked, {} unchanged, {} already members.",
        escape(&plan.rule),
        plan.count(LineAction::Unchanged),
        plan.count(LineAction::AlreadyMember)
    );
    let table = plan_table(std::slice::from_ref(plan), false, 15);
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
    plan: &crate::domain::sync::Plan,
    plan_id: i64,
    changes: usize,
    limit: usize,
    mentions: &str,
) -> SlackMessageContent {
    let text = format!(
        ":raised_hand: Group sync *{}* would make {changes} changes, more than its limit of {limit}, so nothing was applied. {mentions} Review the plan and apply it if it is right.",
        escape(&plan.rule)
    );
    let table = plan_table(std::slice::from_ref(plan), false, 20);
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(
                SlackSectionBlock::new().with_text(md!("```{}```", code_block_text(&table, 2900)))
            ),
            some_into(SlackActionsBlock::new(slack_blocks![some_into(
                button("Apply anyway", &Button::ApplySyncPlan(plan_id))
                    .with_style(SlackBlockButtonStyle::Danger)
                    .with_confirm(confirm(
                        "Apply this plan?",
                        format!("{changes} invitations and revocations will be made now."),
                        "Apply"
                    ))
            )]))
        ])
}

/// The progress line of a run someone started from Slack (replaced as the run goes on).
pub fn sync_progress_text(stage: &crate::domain::sync::SyncStage, dry_run: bool) -> String {
    use crate::domain::sync::SyncStage;
    let what = if dry_run { "Sync preview" } else { "Sync run" };
    match stage {
        SyncStage::Directory { pages, people } => format!(
            ":hourglass_flowing_sand: *{what}*: reading the directory ({people} people in {pages} page{} so far)…",
            if *pages == 1 { "" } else { "s" }
        ),
        SyncStage::Applying { rule, done, total } => format!(
            ":hourglass_flowing_sand: *{what}*, rule *{}*: {done} of {total} invitations recorded…",
            escape(rule)
        ),
    }
}

/// The answer to `/guest sync preview|now`.
pub fn sync_outcome_text(
    plans: &[crate::domain::sync::Plan],
    dry_run: bool,
    held: &[(String, usize, usize)],
) -> String {
    if plans.is_empty() {
        return "No sync rules are configured (`[[sync]]` in guestlist.toml).".into();
    }
    let mut out = if dry_run {
        "*Sync preview* (nothing was changed):\n".to_string()
    } else {
        "*Sync run*:\n".to_string()
    };
    out.push_str(&format!(
        "```{}```",
        code_block_text(&plan_table(plans, false, 30), 3500)
    ));
    for (rule, changes, limit) in held {
        out.push_str(&format!("\n:raised_hand: *{}*: {changes} changes exceed the limit of {limit}; the plan waits for an approver.", escape(rule)));
    }
    out
}
