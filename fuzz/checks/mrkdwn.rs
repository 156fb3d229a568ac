//! Escaping: no user input ever produces a mention, a channel link, a special command or a
//! link. `safe` leaves no `<` or `>`; and in a rendered card, every `<` is one Guestlist wrote
//! (the requester, the request's channels, a date).
//!
//! The property itself, without libFuzzer: `fuzz_targets/mrkdwn.rs` feeds it the fuzzer's inputs,
//! and `tests/fuzz.rs` replays the seeds and the saved corpus through it on every `cargo test`.

use guestlist::domain::profile::Profile;
use guestlist::domain::request::{CardRef, Source};
use guestlist::domain::text::safe;
use guestlist::domain::{
    ChannelId, Email, Expiry, GuestRequest, GuestType, RequestId, RequestKind, RequestState,
    TeamId, UserId,
};
use guestlist::i18n::Lang;
use guestlist::slack::render;

const OURS: [&str; 4] = ["<@UREQ>", "<#C1>", "<#C2>", "<!date^"];

fn request(text: &str, state: RequestState) -> GuestRequest {
    let at = "2026-11-22T12:00:00Z".parse().unwrap();
    GuestRequest {
        id: RequestId(7),
        team_id: TeamId::from("T1"),
        kind: RequestKind::Guest,
        parent_id: None,
        requester: UserId::from("UREQ"),
        email: Email::parse("grace@partner.example").unwrap(),
        full_name: text.to_string(),
        organisation: text.to_string(),
        reason: text.to_string(),
        guest_type: GuestType::MultiChannel,
        channels: vec![ChannelId::from("C1"), ChannelId::from("C2")],
        expiry: Expiry::AfterDays { days: 30 },
        expires_at: Some(at),
        state,
        version: 1,
        decided_by: None,
        decided_at: Some(at),
        decision_note: Some(text.to_string()),
        auto_rule: None,
        card: Some(CardRef {
            channel: ChannelId::from("C9"),
            ts: "1.1".into(),
        }),
        card_version: None,
        source: Source::Sync,
        sync_rule: Some(text.to_string()),
        profile: Profile {
            title: Some(text.to_string()),
            department: Some(text.to_string()),
            manager: None,
            employee_id: Some(text.to_string()),
            phone: Some(text.to_string()),
        },
        slack_invite_request: None,
        slack_user_id: None,
        external_id: None,
        invited_at: None,
        invite_expires_at: None,
        created_at: at,
        updated_at: at,
        account_team: None,
        source_user: None,
        quorum: Default::default(),
        approval_round: 1,
        decide_by: None,
        amendment: Vec::new(),
    }
}

/// Checks the property for one input; panics where it does not hold.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let escaped = safe(text, 3000);
    assert!(
        !escaped.contains('<') && !escaped.contains('>'),
        "{escaped:?}"
    );
    let now = "2026-11-22T13:00:00Z".parse().unwrap();
    for (state, lang) in [
        (RequestState::Pending, Lang::En),
        (RequestState::Denied, Lang::Fr),
    ] {
        let card = render::card(&request(text, state), &[], now, lang);
        let json = serde_json::to_string(&card).unwrap();
        let mut rest = json.as_str();
        while let Some(at) = rest.find('<') {
            rest = &rest[at..];
            assert!(
                OURS.iter().any(|ours| rest.starts_with(ours)),
                "user text made {:?}",
                &rest[..rest.len().min(40)]
            );
            rest = &rest[1..];
        }
    }
}
