//! Snapshots of every view, and the rules they keep (escaping, Block Kit's limits).

use super::*;

use crate::domain::policy::RequestPolicy;
use crate::domain::request::CardRef;
use crate::domain::request::Source;
use crate::domain::{ChannelId, Email, RequestId, TeamId, UserId};
use crate::domain::{Expiry, RequestKind};
use crate::i18n::Lang;
use crate::slack::ids::{DenyMetadata, FormMetadata};

#[test]
fn modal_errors_lose_mrkdwn() {
    assert_eq!(
        plain("Request *#4* was already approved by <@U1> <!date^1^{x}|Mon 1 Jan>."),
        "Request #4 was already approved by U1 Mon 1 Jan."
    );
}

fn now() -> DateTime<Utc> {
    "2026-11-22T12:00:00Z".parse().unwrap()
}

pub(super) fn request(state: RequestState) -> GuestRequest {
    // Pending and cancelled requests have no decision.
    let undecided = matches!(state, RequestState::Pending | RequestState::Cancelled);
    GuestRequest {
        id: RequestId(42),
        team_id: TeamId::from("T1"),
        kind: RequestKind::Guest,
        parent_id: None,
        requester: UserId::from("UREQ"),
        email: Email::parse("grace@partner.com").unwrap(),
        full_name: "Grace Hopper".into(),
        organisation: "Partner & Co <Ltd>".into(),
        reason: "Joint launch.\nNeeds the <#C999> channel & <!here> access".into(),
        guest_type: GuestType::MultiChannel,
        channels: vec![ChannelId::from("C1"), ChannelId::from("C2")],
        expiry: Expiry::AfterDays { days: 30 },
        expires_at: (state != RequestState::Pending)
            .then(|| "2026-12-22T11:00:00Z".parse().unwrap()),
        state,
        version: 3,
        decided_by: (!undecided).then(|| UserId::from("UAPP")),
        decided_at: (!undecided).then(|| "2026-11-22T11:00:00Z".parse().unwrap()),
        decision_note: (state == RequestState::Denied).then(|| "No NDA <yet>".to_string()),
        auto_rule: None,
        card: Some(CardRef {
            channel: ChannelId::from("CREQ"),
            ts: "1.1".into(),
        }),
        card_version: Some(1),
        source: Source::Form,
        sync_rule: None,
        profile: Default::default(),
        slack_invite_request: None,
        slack_user_id: None,
        external_id: None,
        invited_at: matches!(state, RequestState::Invited)
            .then(|| "2026-11-22T11:30:00Z".parse().unwrap()),
        invite_expires_at: matches!(state, RequestState::Invited)
            .then(|| "2026-11-29T11:30:00Z".parse().unwrap()),
        created_at: "2026-11-20T09:00:00Z".parse().unwrap(),
        updated_at: "2026-11-22T11:00:00Z".parse().unwrap(),
        account_team: None,
        source_user: None,
        quorum: Default::default(),
        approval_round: 1,
        decide_by: (state == RequestState::Pending)
            .then(|| "2026-11-27T09:00:00Z".parse().unwrap()),
        amendment: Vec::new(),
    }
}

#[test]
fn request_form_snapshot() {
    let view = request_form(
        &RequestPolicy::default(),
        &FormMetadata {
            tz: Some("Europe/Berlin".into()),
            origin: Some("C1".into()),
        },
        None,
        Lang::En,
    );
    insta::assert_json_snapshot!("request_form", view);
}

#[test]
fn card_snapshots_in_every_state() {
    for state in RequestState::ALL {
        insta::assert_json_snapshot!(
            format!("card_{}", state.as_str()),
            card(&request(state), &[], now(), Lang::En)
        );
    }
    let mut auto = request(RequestState::Approved);
    auto.auto_rule = Some("partners".into());
    auto.decided_by = None;
    insta::assert_json_snapshot!("card_auto_approved", card(&auto, &[], now(), Lang::En));
}

#[test]
fn only_a_pending_card_has_buttons() {
    for state in RequestState::ALL {
        let json = serde_json::to_string(&card(&request(state), &[], now(), Lang::En)).unwrap();
        assert_eq!(
            json.contains("approve_request"),
            state == RequestState::Pending,
            "{state}"
        );
    }
}

#[test]
fn home_snapshots() {
    let mine = vec![
        request(RequestState::Approved),
        request(RequestState::Denied),
    ];
    let approver = ApproverHome {
        queue: vec![(request(RequestState::Pending), Vec::new())],
        accounts: vec![request(RequestState::Active)],
        ..Default::default()
    };
    insta::assert_json_snapshot!(
        "home_approver",
        home(&mine, Some(&approver), None, now(), Lang::En)
    );
    insta::assert_json_snapshot!("home_requester", home(&[], None, None, now(), Lang::En));
}

#[test]
fn deny_form_snapshot() {
    let metadata = DenyMetadata {
        request_id: 42,
        response_url: None,
    };
    insta::assert_json_snapshot!(
        "deny_form",
        deny_form(&request(RequestState::Pending), &metadata, Lang::En)
    );
}

#[test]
fn user_text_never_reaches_a_card_raw() {
    let json = serde_json::to_string(&card(&request(RequestState::Pending), &[], now(), Lang::En))
        .unwrap();
    for raw in ["<#C999>", "<!here>", "<Ltd>", "& Co"] {
        assert!(!json.contains(raw), "{raw} unescaped in {json}");
    }
}

#[test]
fn a_huge_reason_stays_within_block_kit_limits() {
    let mut big = request(RequestState::Pending);
    big.reason = "x".repeat(10_000);
    big.full_name = "y".repeat(500);
    let content = card(&big, &[], now(), Lang::En);
    for block in content.blocks.unwrap() {
        let json = serde_json::to_value(&block).unwrap();
        if let Some(text) = json.pointer("/text/text").and_then(|t| t.as_str()) {
            assert!(
                text.chars().count() <= 3000,
                "section text of {} chars",
                text.chars().count()
            );
        }
        for field in json
            .get("fields")
            .and_then(|f| f.as_array())
            .into_iter()
            .flatten()
        {
            assert!(field["text"].as_str().unwrap().chars().count() <= 2000);
        }
    }
}

#[test]
fn a_card_waiting_for_two_approvals_shows_who_approved_and_what_changed() {
    use crate::domain::quorum::{Quorum, TermChange, Verdict, Vote};
    let mut waiting = request(RequestState::Pending);
    waiting.quorum = Quorum {
        approvals: 2,
        from_roles: vec!["owner".into()],
        ..Quorum::default()
    };
    waiting.approval_round = 2;
    waiting.amendment = vec![TermChange::Channels {
        from: vec![ChannelId::from("C1"), ChannelId::from("C2")],
        to: vec![ChannelId::from("C1")],
    }];
    let votes = [Vote {
        voter: UserId::from("UADA"),
        verdict: Verdict::Approve,
        roles: vec!["manager".into()],
    }];
    let content = card(&waiting, &votes, now(), Lang::En);
    let json = serde_json::to_string(&content).unwrap();
    assert!(json.contains("1 of 2 approvals: <@UADA>"), "{json}");
    assert!(
        json.contains("still needs one from each of: *owner*"),
        "{json}"
    );
    assert!(json.contains("channels: <#C1>, <#C2> → <#C1>"), "{json}");
    assert!(json.contains("count restarted"), "{json}");
    assert!(json.contains("approve_with_changes"), "{json}");
    insta::assert_json_snapshot!("card_pending_quorum", content);
}

#[test]
fn changes_form_offers_only_narrower_terms() {
    let metadata = crate::slack::ids::ChangesMetadata {
        request_id: 42,
        round: 1,
        response_url: None,
        tz: Some("Europe/Berlin".into()),
    };
    let view = changes_form(
        &request(RequestState::Pending),
        &RequestPolicy::default(),
        &metadata,
        Lang::En,
    );
    let json = serde_json::to_string(&view).unwrap();
    assert!(
        json.contains("\"initial_conversations\":[\"C1\",\"C2\"]"),
        "{json}"
    );
    assert!(
        !json.contains("\"member\""),
        "never offers a wider type: {json}"
    );
    insta::assert_json_snapshot!("changes_form", view);
}

#[test]
fn request_again_fills_the_form_and_shows_why_it_ended() {
    let denied = request(RequestState::Denied);
    let view = request_form(
        &RequestPolicy::default(),
        &FormMetadata {
            tz: Some("Europe/Berlin".into()),
            origin: None,
        },
        Some(Again {
            request: &denied,
            note: denied.decision_note.as_deref(),
        }),
        Lang::En,
    );
    let json = serde_json::to_string(&view).unwrap();
    assert!(json.contains("grace@partner.com"), "{json}");
    assert!(
        json.contains("No NDA &lt;yet&gt;"),
        "the note, escaped: {json}"
    );
    assert!(
        json.contains("\"initial_conversations\":[\"C1\",\"C2\"]"),
        "{json}"
    );
    insta::assert_json_snapshot!("request_form_again", view);
    let dm = request_ended(&denied, "Your request *#42* was denied.", Lang::En);
    assert!(
        serde_json::to_string(&dm)
            .unwrap()
            .contains("\"action_id\":\"request_again\"")
    );
}

#[test]
fn account_notices_in_english_and_french() {
    let active = request(RequestState::Active);
    let metadata = crate::slack::ids::ExtendMetadata {
        request_id: 42,
        tz: Some("Europe/Paris".into()),
    };
    for lang in Lang::ALL {
        insta::assert_json_snapshot!(
            format!("expiry_reminder_{lang}"),
            expiry_reminder(&active, now(), lang)
        );
        insta::assert_json_snapshot!(
            format!("extend_form_{lang}"),
            extend_form(&active, &metadata, now(), lang)
        );
    }
    let task = |task, lang| {
        admin_task(&active, task, "<!subteam^S1>", lang)
            .text
            .unwrap_or_default()
    };
    use crate::slack::ids::AdminTask;
    assert_eq!(
        task(AdminTask::Invite, Lang::En),
        "<!subteam^S1> *Admin task:* invite *grace@partner.com* as a multi-channel guest to <#C1> <#C2>, expiring <!date^1797937200^{date_short_pretty} {time}|Tue 22 Dec 2026, 11:00 UTC> (Tue 22 Dec 2026, 11:00 UTC). (Slack: *Invite people*, then set the time limit.)"
    );
    assert_eq!(
        task(AdminTask::Invite, Lang::Fr),
        "<!subteam^S1> *Tâche d'administration :* invitez *grace@partner.com* comme invité multicanal dans <#C1> <#C2>, avec pour date de fin <!date^1797937200^{date_short_pretty} {time}|mar. 22 déc. 2026, 11:00 UTC> (mar. 22 déc. 2026, 11:00 UTC). (Slack : *Inviter des personnes*, puis définissez la limite de temps.)"
    );
    let mut bound = active.clone();
    bound.slack_user_id = Some("UGUEST".into());
    let text = admin_task(&bound, AdminTask::Deactivate, "", Lang::Fr)
        .text
        .unwrap_or_default();
    assert!(
        text.starts_with("*Tâche d'administration :* désactivez le compte invité <@UGUEST> (*grace@partner.com*) maintenant"),
        "{text}"
    );
    let lapsed = invitation_notice(&request(RequestState::Invited), false, Lang::Fr);
    assert!(
        lapsed
            .text
            .unwrap_or_default()
            .starts_with("*Grace Hopper* (grace@partner.com) n'a pas encore accepté l'invitation (date limite : <!date^"),
    );
}

fn link() -> crate::domain::join::InviteLink {
    crate::domain::join::InviteLink {
        id: 7,
        team_id: TeamId::from("T1"),
        sponsor: UserId::from("UREQ"),
        terms: crate::domain::join::JoinTerms {
            guest_type: GuestType::MultiChannel,
            channels: vec![ChannelId::from("C1"), ChannelId::from("C2")],
            expiry: Expiry::AfterDays { days: 30 },
        },
        max_uses: 5,
        uses: 2,
        valid_until: "2026-11-29T12:00:00Z".parse().unwrap(),
        revoked_at: None,
        created_at: now(),
    }
}

#[test]
fn invite_link_snapshots() {
    let metadata = FormMetadata {
        tz: Some("Europe/Paris".into()),
        origin: None,
    };
    insta::assert_json_snapshot!(
        "link_form",
        link_form(&RequestPolicy::default(), &metadata, Lang::En)
    );
    insta::assert_json_snapshot!(
        "link_created",
        link_created("https://guestlist.example.com/join/abc", &link(), Lang::En)
    );
    insta::assert_json_snapshot!(
        "link_created_fr",
        link_created("https://guestlist.example.com/join/abc", &link(), Lang::Fr)
    );
    let links = [link()];
    let view = home(&[], None, Some(&links), now(), Lang::En);
    let text = serde_json::to_string(&view).unwrap();
    assert!(text.contains("revoke_invite_link") && text.contains("3 of 5 use(s) left"));
    insta::assert_json_snapshot!("home_with_links", view);
}

#[test]
fn a_full_home_stays_within_slacks_100_blocks() {
    let mine: Vec<GuestRequest> = (0..10).map(|_| request(RequestState::Approved)).collect();
    let approver = ApproverHome {
        queue: (0..40)
            .map(|_| (request(RequestState::Pending), Vec::new()))
            .collect(),
        accounts: (0..20).map(|_| request(RequestState::Active)).collect(),
        accounts_page: 0,
        accounts_total: 20,
        unmanaged: Vec::new(),
        unmanaged_total: 0,
        reviews: Some(None),
        accounts_filter: Default::default(),
        workspace_settings: true,
    };
    let links: Vec<_> = (0..20).map(|_| link()).collect();
    let SlackView::Home(view) = home(&mine, Some(&approver), Some(&links), now(), Lang::En) else {
        panic!("a home view");
    };
    assert_eq!(view.blocks.len(), super::home::MAX_HOME_BLOCKS);
    let SlackView::Home(small) = home(&[], None, Some(&links[..2]), now(), Lang::En) else {
        panic!("a home view");
    };
    assert!(small.blocks.len() < 20);
}

#[test]
fn unmanaged_guests_and_the_adopt_form() {
    let line = UnmanagedLine {
        slack_user_id: "UHAND".into(),
        name: "Hank <b>".into(),
        email: Some("hank@vendor.example".into()),
        single_channel: true,
    };
    let approver = ApproverHome {
        unmanaged: vec![line],
        unmanaged_total: 12,
        ..Default::default()
    };
    let view = home(&[], Some(&approver), None, now(), Lang::En);
    let text = serde_json::to_string(&view).unwrap();
    assert!(text.contains("Guests Guestlist does not manage (12)"));
    assert!(text.contains("…and 2 more"));
    insta::assert_json_snapshot!("home_unmanaged", view);
    let metadata = crate::slack::ids::AdoptMetadata {
        slack_user_id: "UHAND".into(),
        tz: Some("Europe/Paris".into()),
    };
    insta::assert_json_snapshot!("adopt_form", adopt_form(&metadata, Lang::En));
    let french = serde_json::to_string(&adopt_form(&metadata, Lang::Fr)).unwrap();
    assert!(french.contains("Prendre en charge") && french.contains("(Europe/Paris)"));
    let lines = serde_json::to_string(&unmanaged_lines(&approver.unmanaged, 12, Lang::Fr)).unwrap();
    assert!(
        lines.contains("Invités non gérés par Guestlist (12)")
            && lines.contains("invité monocanal")
            && lines.contains("…et 2 autres"),
        "{lines}"
    );
}

#[test]
fn the_orphan_card_in_english_and_french() {
    let request = request(RequestState::Active);
    let deadline = "2026-11-29T12:00:00Z".parse().unwrap();
    let english = orphan_card(&request, "ULEFT", "<@UAPP>", deadline, true, Lang::En);
    assert_eq!(
        english.text.as_deref(),
        Some(
            ":bust_in_silhouette: <@ULEFT>, who sponsors *Grace Hopper* (grace@partner.com), has left (deactivated, or a guest now). <@UAPP>, please give this guest a new sponsor or end the access. If nobody does by <!date^1795953600^{date_short_pretty} {time}|Sun 29 Nov 2026, 12:00 UTC>, the access ends."
        )
    );
    insta::assert_json_snapshot!("orphan_card", english);
    let french = orphan_card(&request, "ULEFT", "", deadline, false, Lang::Fr);
    insta::assert_json_snapshot!("orphan_card_fr", french);
}

#[test]
fn the_weekly_digest_in_english_and_french() {
    let ending = [request(RequestState::Active)];
    insta::assert_json_snapshot!("weekly_digest", weekly_digest(&ending, 3, now(), Lang::En));
    insta::assert_json_snapshot!(
        "weekly_digest_fr",
        weekly_digest(&ending, 1, now(), Lang::Fr)
    );
    let quiet = weekly_digest(&[], 0, now(), Lang::Fr);
    let text = serde_json::to_string(&quiet).unwrap();
    assert!(text.contains("Aucun compte invité ne prend fin"), "{text}");
}

/// The form, a pending and a decided card, and App Home in French: every word from the
/// catalogue, Slack's dates with a French fallback, what people typed escaped as in English.
#[test]
fn french_snapshots() {
    let form = request_form(
        &RequestPolicy::default(),
        &FormMetadata {
            tz: Some("Europe/Paris".into()),
            origin: Some("C1".into()),
        },
        None,
        Lang::Fr,
    );
    insta::assert_json_snapshot!("request_form_fr", form);
    let pending = card(&request(RequestState::Pending), &[], now(), Lang::Fr);
    insta::assert_json_snapshot!("card_pending_fr", pending);
    let denied = card(&request(RequestState::Denied), &[], now(), Lang::Fr);
    insta::assert_json_snapshot!("card_denied_fr", denied);
    let mine = vec![request(RequestState::Approved)];
    let approver = ApproverHome {
        queue: vec![(request(RequestState::Pending), Vec::new())],
        accounts: vec![request(RequestState::Active)],
        ..Default::default()
    };
    let home_fr = home(&mine, Some(&approver), None, now(), Lang::Fr);
    insta::assert_json_snapshot!("home_approver_fr", home_fr);
    let json = serde_json::to_string(&(&form, &pending, &denied, &home_fr)).unwrap();
    for english in [
        "Request a guest",
        "Approve",
        "Deny",
        "Waiting for",
        "Your requests",
    ] {
        assert!(!json.contains(english), "{english:?} left in French views");
    }
    for raw in ["<#C999>", "<!here>", "<Ltd>", "No NDA <yet>"] {
        assert!(!json.contains(raw), "{raw} unescaped in French");
    }
}
