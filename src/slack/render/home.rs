//! App Home, `/guest list`, `/guest status` and `/guest help`.

use super::card::{account_buttons, decision_buttons};
use super::*;
use crate::domain::Expiry;
use chrono_tz::Tz;

/// One line per request, for `/guest list` and App Home.
pub fn request_line(request: &GuestRequest) -> String {
    format!(
        "*{}* {} ({}) · {} · {}",
        request.id,
        safe(&request.full_name, 60),
        safe(request.email.as_str(), 254),
        crate::slack::say::guest_type_label(request.guest_type, crate::i18n::Lang::En),
        crate::slack::say::state_word(request.state, crate::i18n::Lang::En)
    )
}

/// `/guest status`: the request in the viewer's own time zone.
pub fn status_text(request: &GuestRequest, tz: Tz, now: DateTime<Utc>) -> String {
    let expiry = match (request.expires_at, request.expiry) {
        (Some(at), _) | (None, Expiry::At { at }) => {
            format!("{} ({})", format_in_zone(at, tz), relative(at, now))
        }
        (None, Expiry::AfterDays { days }) => format!("{days} days after approval"),
        (None, Expiry::Never) => "never".to_string(),
    };
    format!(
        "{}\nChannels: {}\nExpires: {}\nRequested by <@{}> on {}\n{}",
        request_line(request),
        channels_text(request),
        expiry,
        request.requester,
        format_in_zone(request.created_at, tz),
        status_line(request)
    )
}

/// App Home: my requests; for approvers, the queue with the same buttons as the cards.
/// What an approver sees in App Home besides their own requests.
#[derive(Debug, Clone, Default)]
pub struct ApproverHome {
    /// Pending requests this approver may decide, with their current round's votes.
    pub queue: Vec<(GuestRequest, Vec<crate::domain::quorum::Vote>)>,
    /// One page of the open guest accounts, soonest to end first.
    pub accounts: Vec<GuestRequest>,
    /// Which page (from 0) `accounts` is, and how many accounts there are in all.
    pub accounts_page: usize,
    pub accounts_total: usize,
    /// The filter `accounts` went through (`accounts_total` counts what passed).
    pub accounts_filter: crate::slack::ids::HomeFilter,
    /// Guests in Slack that Guestlist does not manage (the first few), and how many in all.
    pub unmanaged: Vec<super::UnmanagedLine>,
    pub unmanaged_total: usize,
    /// For reviewers: the open access review (id, deadline, counts), or none (a Start button).
    pub reviews: Option<Option<(i64, DateTime<Utc>, crate::domain::review::Progress)>>,
}

/// `links`: the viewer's open invite links, or `None` where links are off (no public URL).
pub fn home(
    mine: &[GuestRequest],
    approver: Option<&ApproverHome>,
    links: Option<&[crate::domain::join::InviteLink]>,
    now: DateTime<Utc>,
) -> SlackView {
    const MAX_MINE: usize = 10;
    const MAX_QUEUE: usize = 20;
    let mut blocks: Vec<SlackBlock> = slack_blocks![
        some_into(SlackHeaderBlock::new(pt!("Guestlist"))),
        some_into(SlackSectionBlock::new().with_text(md!(
            "Ask for guest accounts here or with `/guest`. Approvers decide in the request channel."
        ))),
        some_into(SlackActionsBlock::new(slack_blocks![some_into(
            SlackBlockButtonElement::new(pt!("Request a guest account"))
                .with_action_id(Button::OpenForm.action_id().into())
                .with_style(SlackBlockButtonStyle::Primary)
        )])),
        some_into(SlackDividerBlock::new()),
        some_into(SlackHeaderBlock::new(pt!("Your requests")))
    ];
    if mine.is_empty() {
        blocks.push(
            SlackContextBlock::new(vec![md!("You have not asked for any guests yet.")]).into(),
        );
    }
    for request in mine.iter().take(MAX_MINE) {
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!("{}", request_line(request)))
                .into(),
        );
    }
    if let Some(links) = links {
        blocks.extend(super::links::link_lines(links, crate::i18n::Lang::En));
    }
    // Before the long lists, so Slack's 100-block cut never takes it.
    if let Some(Some(reviews)) = approver.map(|a| &a.reviews) {
        blocks.push(SlackDividerBlock::new().into());
        blocks.push(SlackHeaderBlock::new(pt!("Access reviews")).into());
        match reviews {
            Some((id, deadline, p)) => blocks.push(
                SlackSectionBlock::new()
                    .with_text(md!(
                        "Access review #{} is open: {} of {} reviewed · {} ended · {} waiting · answers due {}.",
                        id,
                        p.reviewed,
                        p.total,
                        p.ended,
                        p.waiting,
                        slack_date(*deadline)
                    ))
                    .into(),
            ),
            None => blocks.push(
                SlackSectionBlock::new()
                    .with_text(md!(
                        "Ask every sponsor, in one DM each, whether their guests still need access."
                    ))
                    .with_accessory(SlackSectionBlockElement::Button(button(
                        "Start access review",
                        &Button::StartReview,
                    )))
                    .into(),
            ),
        }
    }
    if let Some(ApproverHome {
        queue,
        accounts,
        accounts_page,
        accounts_total,
        accounts_filter,
        ..
    }) = approver
    {
        blocks.push(SlackDividerBlock::new().into());
        blocks.push(
            SlackHeaderBlock::new(pt!(format!("Waiting for approval ({})", queue.len()))).into(),
        );
        if queue.is_empty() {
            blocks.push(SlackContextBlock::new(vec![md!("Nothing to decide. :tada:")]).into());
        }
        for (request, votes) in queue.iter().take(MAX_QUEUE) {
            blocks.push(
                SlackSectionBlock::new()
                    .with_text(md!(
                        "{} · requested by <@{}> · expires: {}\n{}",
                        request_line(request),
                        request.requester,
                        expiry_text(request, now),
                        quote(&request.reason, 300)
                    ))
                    .into(),
            );
            if let Some(progress) = super::card::approval_progress(request, votes, now) {
                blocks.push(SlackContextBlock::new(vec![md!("{}", progress)]).into());
            }
            blocks.push(
                SlackActionsBlock::new(decision_buttons(request))
                    .with_block_id(format!("decide:{}", request.id.0).into())
                    .into(),
            );
        }
        if queue.len() > MAX_QUEUE {
            blocks.push(
                SlackContextBlock::new(vec![md!(
                    "…and {} more in the request channel.",
                    queue.len() - MAX_QUEUE
                )])
                .into(),
            );
        }
        let filtered = *accounts_filter != crate::slack::ids::HomeFilter::All;
        if accounts.is_empty() && filtered {
            blocks.push(SlackDividerBlock::new().into());
            blocks.push(
                SlackSectionBlock::new()
                    .with_text(md!("No guest account matches this filter."))
                    .with_accessory(SlackSectionBlockElement::StaticSelect(filter_menu(
                        *accounts_filter,
                    )))
                    .into(),
            );
        }
        if !accounts.is_empty() {
            let total = (*accounts_total).max(accounts.len());
            let first = accounts_page * ACCOUNTS_PER_PAGE + 1;
            let last = (first + accounts.len().min(ACCOUNTS_PER_PAGE)).saturating_sub(1);
            blocks.push(SlackDividerBlock::new().into());
            blocks.push(
                SlackHeaderBlock::new(pt!(format!(
                    "Guest accounts ({total}), ending soonest first"
                )))
                .into(),
            );
            blocks.push(
                SlackSectionBlock::new()
                    .with_text(md!("Showing {}–{} of {}.", first, last, total))
                    .with_accessory(SlackSectionBlockElement::StaticSelect(filter_menu(
                        *accounts_filter,
                    )))
                    .into(),
            );
            for request in accounts.iter().take(ACCOUNTS_PER_PAGE) {
                blocks.push(
                    SlackSectionBlock::new()
                        .with_text(md!(
                            "{} · sponsor <@{}> · ends: {}",
                            request_line(request),
                            request.requester,
                            expiry_text(request, now)
                        ))
                        .into(),
                );
                if let Some(buttons) = account_buttons(request) {
                    blocks.push(
                        SlackActionsBlock::new(buttons)
                            .with_block_id(format!("account:{}", request.id.0).into())
                            .into(),
                    );
                }
            }
            let mut nav: Vec<SlackActionBlockElement> = Vec::new();
            if *accounts_page > 0 {
                nav.push(
                    button(
                        "‹ Previous",
                        &Button::HomePage(accounts_page - 1, *accounts_filter),
                    )
                    .into(),
                );
            }
            if last < total {
                nav.push(
                    button(
                        "Next ›",
                        &Button::HomePage(accounts_page + 1, *accounts_filter),
                    )
                    .into(),
                );
            }
            if !nav.is_empty() {
                blocks.push(
                    SlackActionsBlock::new(nav)
                        .with_block_id("accounts_pages".into())
                        .into(),
                );
            }
        }
    }
    if let Some(approver) = approver
        && approver.unmanaged_total > 0
    {
        blocks.extend(super::adopt::unmanaged_lines(
            &approver.unmanaged,
            approver.unmanaged_total,
            crate::i18n::Lang::En,
        ));
    }
    // Block Kit takes at most 100 blocks in a Home tab: a full queue, full lists and many links
    // together are cut, and the last block says so.
    if blocks.len() > MAX_HOME_BLOCKS {
        blocks.truncate(MAX_HOME_BLOCKS - 1);
        blocks.push(
            SlackContextBlock::new(vec![md!(
                "…and more: the request channel has every request, and `/guest list` yours."
            )])
            .into(),
        );
    }
    SlackView::Home(SlackHomeView::new(blocks))
}

/// The accounts' filter menu; its choice comes back as a `home_filter` action.
fn filter_menu(current: crate::slack::ids::HomeFilter) -> SlackBlockStaticSelectElement {
    use crate::slack::ids::HomeFilter;
    let label = |f: HomeFilter| match f {
        HomeFilter::All => "All guest accounts",
        HomeFilter::EndingWithin7Days => "Ending within 7 days",
        HomeFilter::EndingWithin30Days => "Ending within 30 days",
        HomeFilter::NoEndDate => "Without an end date",
        HomeFilter::AwaitingReview => "Waiting in the access review",
    };
    let option = |f: HomeFilter| SlackBlockChoiceItem::new(pt!(label(f)), f.as_str().to_string());
    SlackBlockStaticSelectElement::new()
        .with_action_id(Button::HomeFilter(current).action_id().into())
        .with_options(HomeFilter::ALL.into_iter().map(option).collect())
        .with_initial_option(SlackBlockChoiceItem::new(
            pt!(label(current)),
            current.as_str().to_string(),
        ))
}

/// Guest accounts shown per App Home page.
pub const ACCOUNTS_PER_PAGE: usize = 10;

/// Slack's limit on a Home tab's blocks.
pub const MAX_HOME_BLOCKS: usize = 100;

/// `/guest help`.
pub fn help_text() -> String {
    [
        "*Guestlist* runs guest accounts for this workspace.",
        "• `/guest` — ask for a guest account (opens a form)",
        "• `/guest list` — your requests and where they stand",
        "• `/guest status <id>` — one request in detail",
        "• `/guest cancel <id>` — withdraw a request still waiting for approval",
        "• `/guest link` — make an invite link: people outside Slack ask for an account themselves",
        "• `/guest sync preview` — approvers: what group sync would change (changes nothing)",
        "• `/guest sync now` — approvers: run group sync now",
        "• `/guest import` — approvers: how to add many guests from a CSV file",
        "• `/guest help` — this list",
    ]
    .join("\n")
}
