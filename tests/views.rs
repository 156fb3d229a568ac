//! Every view and message at every size, in both languages, checked against Block Kit's limits
//! as the fake Slack enforces them (`fake_slack::blockkit`, the same checker that refuses a
//! `chat.postMessage` or `views.open`): request ids up to 10^7, names, organisations and
//! profile fields at their maximum, reasons of 1,000 characters of `&<>` (5,000 once escaped),
//! 1,000 channels, 1,000 guests in App Home, 50 digest lines.

use chrono::{DateTime, Utc};
use guestlist::domain::policy::{
    MAX_NAME_CHARS, MAX_ORGANISATION_CHARS, MAX_REASON_CHARS, RequestPolicy,
};
use guestlist::domain::profile::Profile;
use guestlist::domain::quorum::Vote;
use guestlist::domain::request::{CardRef, Source};
use guestlist::domain::{
    ChannelId, Email, Expiry, GuestRequest, GuestType, RequestId, RequestKind, RequestState,
    TeamId, UserId,
};
use guestlist::fake_slack::blockkit::{check_message, check_view};
use guestlist::i18n::Lang;
use guestlist::slack::ids::{
    AdoptMetadata, ChangeAccessMetadata, ChangesMetadata, DenyMetadata, ExtendMetadata,
    FormMetadata, HomeFilter, ReassignMetadata,
};
use guestlist::slack::render;
use serde_json::Value;

const LANGS: [Lang; 2] = [Lang::En, Lang::Fr];
const IDS: [i64; 5] = [1, 99, 100, 10_000, 10_000_000];

fn now() -> DateTime<Utc> {
    "2026-11-22T12:00:00Z".parse().unwrap()
}

/// A request at its largest: every text at its limit, the reason all `&<>`, `channels`
/// channels, a long address.
fn largest(id: i64, state: RequestState, channels: usize) -> GuestRequest {
    let at: DateTime<Utc> = "2026-11-22T11:00:00Z".parse().unwrap();
    let long = |n: usize| "Ŵ&<>".repeat(n / 4 + 1).chars().take(n).collect::<String>();
    let local = "a".repeat(64);
    let domain = format!("{}.example", "d".repeat(60));
    GuestRequest {
        id: RequestId(id),
        team_id: TeamId::from("T1"),
        kind: RequestKind::Guest,
        parent_id: None,
        requester: UserId::from("UREQUESTER1"),
        email: Email::parse(&format!("{local}@{domain}")).unwrap(),
        full_name: long(MAX_NAME_CHARS),
        organisation: long(MAX_ORGANISATION_CHARS),
        reason: "&<>".repeat(MAX_REASON_CHARS / 3 + 1)[..MAX_REASON_CHARS].to_string(),
        guest_type: GuestType::MultiChannel,
        channels: (0..channels)
            .map(|i| ChannelId::from(format!("C{i:010}").as_str()))
            .collect(),
        expiry: Expiry::AfterDays { days: 36_500 },
        expires_at: Some("2126-11-22T11:00:00Z".parse().unwrap()),
        state,
        version: 7,
        decided_by: Some(UserId::from("UAPPROVER1")),
        decided_at: Some(at),
        decision_note: Some(long(500)),
        auto_rule: Some(long(80)),
        card: Some(CardRef {
            channel: ChannelId::from("CREQUESTS1"),
            ts: "1700000000.000100".into(),
        }),
        card_version: Some(3),
        source: Source::Form,
        sync_rule: Some(long(80)),
        profile: Profile {
            title: Some(long(100)),
            department: Some(long(100)),
            manager: Some(UserId::from("UMANAGER01")),
            employee_id: Some(long(64)),
            phone: Some("+33 1 23 45 67 89 00".into()),
        },
        slack_invite_request: None,
        slack_user_id: Some("UGUEST0001".into()),
        external_id: Some(long(64)),
        invited_at: Some(at),
        invite_expires_at: Some("2026-11-29T11:00:00Z".parse().unwrap()),
        created_at: at,
        updated_at: at,
        account_team: None,
        source_user: None,
        quorum: Default::default(),
        approval_round: 3,
        decide_by: Some("2026-11-27T09:00:00Z".parse().unwrap()),
        amendment: Vec::new(),
    }
}

fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

fn message_ok(what: &str, content: &impl serde::Serialize) {
    let content = json(content);
    let blocks = content.get("blocks").cloned().unwrap_or(Value::Null);
    if blocks.is_null() {
        return;
    }
    if let Err(problems) = check_message(&blocks) {
        panic!("{what}: Slack would refuse this message: {problems:#?}");
    }
}

fn view_ok(what: &str, view: &impl serde::Serialize) {
    if let Err(problems) = check_view(&json(view)) {
        panic!("{what}: Slack would refuse this view: {problems:#?}");
    }
}

#[test]
fn every_card_and_notice_fits_at_every_size() {
    for lang in LANGS {
        for id in IDS {
            for state in RequestState::ALL {
                for channels in [1, 1_000] {
                    let request = largest(id, state, channels);
                    let what = format!("{state} #{id} with {channels} channels, {lang:?}");
                    let votes: Vec<Vote> = Vec::new();
                    message_ok(
                        &format!("card {what}"),
                        &render::card(&request, &votes, now(), lang),
                    );
                    message_ok(
                        &format!("escalated card {what}"),
                        &render::escalated_card(&request, &votes, "Waiting", now(), lang),
                    );
                    message_ok(
                        &format!("invitation notice {what}"),
                        &render::invitation_notice(&request, true, lang),
                    );
                    message_ok(
                        &format!("expiry reminder {what}"),
                        &render::expiry_reminder(&request, now(), lang),
                    );
                    message_ok(
                        &format!("request ended {what}"),
                        &render::request_ended(&request, &"&".repeat(3_000), lang),
                    );
                    message_ok(
                        &format!("provisioning problem {what}"),
                        &render::provisioning_problem(&request, &"<".repeat(3_000), lang),
                    );
                    message_ok(
                        &format!("orphan card {what}"),
                        &render::orphan_card(
                            &request,
                            "UFORMERSPONSOR",
                            "<!subteam^S1>",
                            now(),
                            true,
                            lang,
                        ),
                    );
                }
            }
        }
    }
}

#[test]
fn every_modal_fits_at_every_size() {
    let policy = RequestPolicy::default();
    for lang in LANGS {
        let form = FormMetadata {
            tz: Some("America/Argentina/ComodRivadavia".into()),
            origin: Some("CORIGIN001".into()),
        };
        view_ok(
            "request form",
            &render::request_form(&policy, &form, None, lang),
        );
        view_ok("link form", &render::link_form(&policy, &form, lang));
        for id in IDS {
            let request = largest(id, RequestState::Pending, 1_000);
            let what = format!("#{id}, {lang:?}");
            view_ok(
                &format!("approve with changes {what}"),
                &render::changes_form(
                    &request,
                    &policy,
                    &ChangesMetadata {
                        request_id: id,
                        round: 3,
                        response_url: Some(format!(
                            "https://hooks.slack.com/actions/{}",
                            "x".repeat(200)
                        )),
                        tz: form.tz.clone(),
                    },
                    lang,
                ),
            );
            view_ok(
                &format!("deny form {what}"),
                &render::deny_form(
                    &request,
                    &DenyMetadata {
                        request_id: id,
                        response_url: Some(format!(
                            "https://hooks.slack.com/actions/{}",
                            "x".repeat(200)
                        )),
                    },
                    lang,
                ),
            );
            view_ok(
                &format!("extend form {what}"),
                &render::extend_form(
                    &request,
                    &ExtendMetadata {
                        request_id: id,
                        tz: form.tz.clone(),
                    },
                    now(),
                    lang,
                ),
            );
            view_ok(
                &format!("request sent {what}"),
                &render::request_sent(&request, Some("CREQUESTS1"), lang),
            );
            view_ok(
                &format!("reassign form {what}"),
                &render::reassign_form(
                    &request,
                    &ReassignMetadata {
                        request_id: id,
                        from: "UFORMERSPONSOR".into(),
                    },
                    lang,
                ),
            );
            view_ok(
                &format!("change access form {what}"),
                &render::change_access_form(
                    &request,
                    &ChangeAccessMetadata {
                        request_id: id,
                        version: 7,
                        tz: form.tz.clone(),
                    },
                    1_000,
                    lang,
                ),
            );
        }
        view_ok(
            "adopt form",
            &render::adopt_form(
                &AdoptMetadata {
                    slack_user_id: "UGUEST0001".into(),
                    tz: form.tz.clone(),
                },
                lang,
            ),
        );
    }
}

#[test]
fn app_home_fits_with_a_thousand_guests_on_every_page() {
    for lang in LANGS {
        let accounts: Vec<GuestRequest> = (0..1_000)
            .map(|i| largest(10_000_000 - i, RequestState::Active, 3))
            .collect();
        let mine: Vec<GuestRequest> = (0..30)
            .map(|i| largest(9_000_000 - i, RequestState::Pending, 3))
            .collect();
        let queue: Vec<(GuestRequest, Vec<Vote>)> =
            mine.iter().map(|r| (r.clone(), Vec::new())).collect();
        for page in [0, 1, 50, 99] {
            for filter in [
                HomeFilter::All,
                HomeFilter::EndingWithin7Days,
                HomeFilter::NoEndDate,
            ] {
                let approver = render::ApproverHome {
                    queue: queue.clone(),
                    accounts: accounts[page * 10..page * 10 + 10].to_vec(),
                    accounts_page: page,
                    accounts_total: accounts.len(),
                    accounts_filter: filter,
                    unmanaged: Vec::new(),
                    unmanaged_total: 0,
                    reviews: Some(None),
                    workspace_settings: true,
                };
                view_ok(
                    &format!("App Home page {page} ({filter:?}), {lang:?}"),
                    &render::home(&mine, Some(&approver), Some(&[]), now(), lang),
                );
            }
        }
    }
}

#[test]
fn the_weekly_digest_fits_with_fifty_lines() {
    for lang in LANGS {
        for count in [1, 12, 15, 16, 50] {
            let ending: Vec<GuestRequest> = (0..count)
                .map(|i| largest(10_000_000 - i as i64, RequestState::Active, 1))
                .collect();
            message_ok(
                &format!("digest of {count}, {lang:?}"),
                &render::weekly_digest(&ending, 1_000_000, now(), lang),
            );
        }
    }
}
