//! One contract, every backend: each Store method behaves the same on SQLite and on Postgres
//! (Postgres runs when GUESTLIST_TEST_POSTGRES_URL is set; each test gets a fresh schema).

use crate::helpers::{Backend, SharedTestStore as SharedStore, fresh_store};
use chrono::{DateTime, Duration, Utc};
use guestlist::domain::request::{CardRef, Source};
use guestlist::domain::{
    ChannelId, Email, Expiry, GuestType, NewRequest, RequestId, RequestKind, RequestState, TeamId,
    UserId,
};
use guestlist::store::{
    AuditEntry, ChangeOutcome, ChangedFields, CreateOutcome, JobState, NewJob, Recorded,
    StateChange,
};
use serde_json::json;

async fn each_backend<F, Fut>(check: F)
where
    F: Fn(SharedStore, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let store = fresh_store(&backend, &dir).await;
        store.migrate().await.unwrap();
        check(store, format!("{backend:?}").chars().take(8).collect()).await;
    }
}

fn t0() -> DateTime<Utc> {
    "2026-11-22T12:00:00Z".parse().unwrap()
}

fn team() -> TeamId {
    TeamId::from("T1")
}

fn job(kind: &str, run_at: DateTime<Utc>) -> NewJob {
    NewJob {
        team_id: team(),
        kind: kind.into(),
        payload: json!({"kind": kind}),
        run_at,
        max_attempts: 3,
        serial_key: None,
        dedupe_key: None,
    }
}

fn always(job: NewJob) -> guestlist::store::EventJob {
    guestlist::store::EventJob {
        job,
        only_if_known: None,
    }
}

fn new_request(email: &str) -> NewRequest {
    NewRequest {
        team_id: team(),
        kind: RequestKind::Guest,
        parent_id: None,
        requester: UserId::from("UREQ"),
        email: Email::parse(email).unwrap(),
        full_name: "Grace Hopper".into(),
        organisation: "Navy".into(),
        reason: "COBOL".into(),
        guest_type: GuestType::MultiChannel,
        channels: vec![ChannelId::from("C1"), ChannelId::from("C2")],
        expiry: Expiry::AfterDays { days: 30 },
        source: Source::Form,
        sync_rule: None,
        profile: Default::default(),
        slack_invite_request: None,
        account_team: None,
        source_user: None,
        quorum: Default::default(),
        decide_by: None,
    }
}

fn audit(action: &str, at: DateTime<Utc>) -> AuditEntry {
    AuditEntry {
        team_id: team(),
        request_id: None,
        actor: "UREQ".into(),
        action: action.into(),
        from_state: None,
        to_state: Some(RequestState::Pending),
        detail: String::new(),
        at,
    }
}

async fn create(store: &SharedStore, email: &str, at: DateTime<Utc>) -> CreateOutcome {
    store
        .create_request(
            &new_request(email),
            RequestState::Pending,
            at,
            audit("submit", at),
            Box::new(|_| vec![]),
        )
        .await
        .unwrap()
}

fn created(outcome: CreateOutcome) -> guestlist::domain::GuestRequest {
    match outcome {
        CreateOutcome::Created(r) => r,
        other => panic!("expected a new request, got {other:?}"),
    }
}

fn approve(id: RequestId, at: DateTime<Utc>, jobs: Vec<NewJob>) -> StateChange {
    StateChange {
        team_id: team(),
        request_id: id,
        from: RequestState::Pending,
        to: RequestState::Approved,
        at,
        fields: ChangedFields {
            decided_by: Some(UserId::from("UAPP")),
            decided_at: Some(at),
            expires_at: Some(at + Duration::days(30)),
            ..Default::default()
        },
        only_if_invited_before: None,
        only_if_expires_at: None,
        only_if_decide_by: None,
        invitation_via: None,
        parent_expiry: None,
        audit: AuditEntry {
            request_id: Some(id),
            action: "approve".into(),
            ..audit("approve", at)
        },
        jobs,
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_readiness_reports_them() {
    each_backend(|store, _| async move {
        store.migrate().await.unwrap();
        store.readiness().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn events_are_recorded_once_with_their_job() {
    each_backend(|store, label| async move {
        let first = store
            .record_event(
                &team(),
                "Ev1",
                "app_home_opened",
                t0(),
                Some(always(job("publish_home", t0()))),
            )
            .await
            .unwrap();
        let again = store
            .record_event(
                &team(),
                "Ev1",
                "app_home_opened",
                t0(),
                Some(always(job("publish_home", t0()))),
            )
            .await
            .unwrap();
        assert_eq!(first, Recorded::New { job_queued: true }, "{label}");
        assert_eq!(again, Recorded::Duplicate, "{label}");
        assert_eq!(
            store.jobs_of_kind("publish_home", 10).await.unwrap().len(),
            1,
            "{label}"
        );
        assert_eq!(
            store
                .record_event(&team(), "Ev2", "message", t0(), None)
                .await
                .unwrap(),
            Recorded::New { job_queued: false },
            "{label}"
        );
        assert_eq!(
            store
                .purge_events(t0() + Duration::seconds(1))
                .await
                .unwrap(),
            2,
            "{label}"
        );
        assert!(
            store
                .record_event(&team(), "Ev1", "app_home_opened", t0(), None)
                .await
                .unwrap()
                .is_new(),
            "{label}: purged ids are new again"
        );
    })
    .await;
}

#[tokio::test]
async fn jobs_are_claimed_when_due_and_only_by_one_owner() {
    each_backend(|store, label| async move {
        store
            .enqueue_jobs(&[job("now", t0()), job("later", t0() + Duration::minutes(5))])
            .await
            .unwrap();
        let lease = t0() + Duration::seconds(60);
        let a = store.claim_jobs("a", t0(), lease, 10).await.unwrap();
        assert_eq!(
            a.iter().map(|j| j.kind.as_str()).collect::<Vec<_>>(),
            vec!["now"],
            "{label}"
        );
        assert_eq!(a[0].attempts, 1);
        assert!(
            store
                .claim_jobs("b", t0(), lease, 10)
                .await
                .unwrap()
                .is_empty(),
            "{label}: leased job not handed out twice"
        );
        assert!(
            !store.complete_job(a[0].id, "b", t0()).await.unwrap(),
            "{label}: only the owner completes"
        );
        assert!(store.complete_job(a[0].id, "a", t0()).await.unwrap());
        let later = store
            .claim_jobs(
                "b",
                t0() + Duration::minutes(5),
                lease + Duration::minutes(5),
                10,
            )
            .await
            .unwrap();
        assert_eq!(later.len(), 1, "{label}");
        let stats = store
            .queue_stats(t0() + Duration::minutes(5))
            .await
            .unwrap();
        assert_eq!((stats.due, stats.running), (0, 1), "{label}");
    })
    .await;
}

#[tokio::test]
async fn an_expired_lease_is_taken_over() {
    each_backend(|store, label| async move {
        store.enqueue_jobs(&[job("x", t0())]).await.unwrap();
        let a = store
            .claim_jobs("a", t0(), t0() + Duration::seconds(30), 1)
            .await
            .unwrap();
        assert!(
            store
                .claim_jobs(
                    "b",
                    t0() + Duration::seconds(29),
                    t0() + Duration::seconds(90),
                    1
                )
                .await
                .unwrap()
                .is_empty()
        );
        let b = store
            .claim_jobs(
                "b",
                t0() + Duration::seconds(31),
                t0() + Duration::seconds(90),
                1,
            )
            .await
            .unwrap();
        assert_eq!(b.len(), 1, "{label}");
        assert_eq!(b[0].id, a[0].id);
        assert_eq!(b[0].attempts, 2);
        assert!(
            !store.complete_job(a[0].id, "a", t0()).await.unwrap(),
            "{label}: the dead owner's result is refused"
        );
        assert!(store.complete_job(b[0].id, "b", t0()).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn retries_failures_and_released_leases() {
    each_backend(|store, label| async move {
        store.enqueue_jobs(&[job("x", t0())]).await.unwrap();
        let lease = t0() + Duration::seconds(60);
        let j = store
            .claim_jobs("a", t0(), lease, 1)
            .await
            .unwrap()
            .remove(0);
        store
            .retry_job(j.id, "a", t0() + Duration::seconds(10), "boom", true, t0())
            .await
            .unwrap();
        assert!(
            store
                .claim_jobs("a", t0() + Duration::seconds(9), lease, 1)
                .await
                .unwrap()
                .is_empty()
        );
        let j = store
            .claim_jobs("a", t0() + Duration::seconds(10), lease, 1)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(j.attempts, 2, "{label}");
        // A rate limit gives the attempt back.
        store
            .retry_job(j.id, "a", t0() + Duration::seconds(10), "429", false, t0())
            .await
            .unwrap();
        let j = store
            .claim_jobs("a", t0() + Duration::seconds(10), lease, 1)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(j.attempts, 2, "{label}");
        store.fail_job(j.id, "a", "gave up", t0()).await.unwrap();
        let record = &store.jobs_of_kind("x", 1).await.unwrap()[0];
        assert_eq!(record.state, JobState::Failed);
        assert_eq!(record.last_error.as_deref(), Some("gave up"));

        store.enqueue_jobs(&[job("y", t0())]).await.unwrap();
        store.claim_jobs("a", t0(), lease, 1).await.unwrap();
        assert_eq!(store.release_leases("a", t0()).await.unwrap(), 1, "{label}");
        let again = store.claim_jobs("b", t0(), lease, 1).await.unwrap();
        assert_eq!(
            again[0].attempts, 1,
            "{label}: a released lease is not an attempt"
        );
        assert_eq!(
            store
                .purge_finished_jobs(t0() + Duration::seconds(1))
                .await
                .unwrap(),
            1,
            "{label}"
        );
    })
    .await;
}

#[tokio::test]
async fn dedupe_keys_enqueue_once_and_serial_keys_run_in_order() {
    each_backend(|store, label| async move {
        let timer = NewJob {
            dedupe_key: Some("stale:1".into()),
            ..job("timer", t0())
        };
        store
            .enqueue_jobs(std::slice::from_ref(&timer))
            .await
            .unwrap();
        store.enqueue_jobs(&[timer]).await.unwrap();
        assert_eq!(
            store.jobs_of_kind("timer", 10).await.unwrap().len(),
            1,
            "{label}"
        );

        let first = NewJob {
            serial_key: Some("card:1".into()),
            ..job("first", t0())
        };
        let second = NewJob {
            serial_key: Some("card:1".into()),
            ..job("second", t0())
        };
        let other = NewJob {
            serial_key: Some("card:2".into()),
            ..job("other", t0())
        };
        store.enqueue_jobs(&[first, second, other]).await.unwrap();
        let lease = t0() + Duration::seconds(60);
        let claimed: Vec<String> = store
            .claim_jobs("a", t0(), lease, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|j| j.kind)
            .collect();
        assert!(
            claimed.contains(&"first".to_string()) && claimed.contains(&"other".to_string()),
            "{label}: {claimed:?}"
        );
        assert!(
            !claimed.contains(&"second".to_string()),
            "{label}: second waits for first"
        );
        let first_id = store.jobs_of_kind("first", 1).await.unwrap()[0].id;
        store.complete_job(first_id, "a", t0()).await.unwrap();
        let next: Vec<String> = store
            .claim_jobs("b", t0(), lease, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|j| j.kind)
            .collect();
        assert_eq!(next, vec!["second".to_string()], "{label}");
    })
    .await;
}

/// One open request or account per phone number, like per email: the unique index decides,
/// also for a request that names another email.
#[tokio::test]
async fn requests_are_unique_per_open_phone() {
    each_backend(|store, label| async move {
        let with_phone = |email: &str| NewRequest {
            profile: guestlist::domain::profile::Profile {
                phone: Some("+33612345678".into()),
                title: Some("Consultant".into()),
                ..Default::default()
            },
            ..new_request(email)
        };
        let submit = |new: NewRequest| {
            let store = store.clone();
            async move {
                store
                    .create_request(
                        &new,
                        RequestState::Pending,
                        t0(),
                        audit("submit", t0()),
                        Box::new(|_| vec![]),
                    )
                    .await
                    .unwrap()
            }
        };
        let first = created(submit(with_phone("grace@navy.mil")).await);
        assert_eq!(
            first.profile.title.as_deref(),
            Some("Consultant"),
            "{label}"
        );
        match submit(with_phone("ada@navy.mil")).await {
            CreateOutcome::PhoneTaken(existing) => assert_eq!(existing.id, first.id, "{label}"),
            other => panic!("{label}: {other:?}"),
        }
        assert_eq!(
            store
                .open_request_for_phone(&team(), "+33612345678")
                .await
                .unwrap()
                .map(|r| r.id),
            Some(first.id),
            "{label}"
        );
        // Once the first is denied, the number is free again.
        let deny = StateChange {
            to: RequestState::Denied,
            ..approve(first.id, t0(), vec![])
        };
        assert!(matches!(
            store.change_state(deny).await.unwrap(),
            ChangeOutcome::Applied(_)
        ));
        assert!(
            matches!(
                submit(with_phone("ada@navy.mil")).await,
                CreateOutcome::Created(_)
            ),
            "{label}"
        );
    })
    .await;
}

#[tokio::test]
async fn requests_are_unique_per_open_email() {
    each_backend(|store, label| async move {
        let first = created(create(&store, "grace@navy.mil", t0()).await);
        assert_eq!(first.state, RequestState::Pending);
        assert_eq!(first.version, 1);
        match create(&store, "Grace@Navy.mil ", t0()).await {
            CreateOutcome::Duplicate(existing) => assert_eq!(existing.id, first.id, "{label}"),
            other => panic!("{label}: {other:?}"),
        }
        // Another workspace may ask for the same person.
        let other_team = NewRequest {
            team_id: TeamId::from("T2"),
            ..new_request("grace@navy.mil")
        };
        let outcome = store
            .create_request(
                &other_team,
                RequestState::Pending,
                t0(),
                AuditEntry {
                    team_id: TeamId::from("T2"),
                    ..audit("submit", t0())
                },
                Box::new(|_| vec![]),
            )
            .await
            .unwrap();
        assert!(matches!(outcome, CreateOutcome::Created(_)), "{label}");
        // Once denied, the email is free again.
        let deny = StateChange {
            to: RequestState::Denied,
            ..approve(first.id, t0(), vec![])
        };
        assert!(matches!(
            store.change_state(deny).await.unwrap(),
            ChangeOutcome::Applied(_)
        ));
        assert!(
            matches!(
                create(&store, "grace@navy.mil", t0()).await,
                CreateOutcome::Created(_)
            ),
            "{label}"
        );
        assert_eq!(
            store
                .audit_for_request(&team(), first.id)
                .await
                .unwrap()
                .len(),
            2,
            "{label}: submit + deny"
        );
    })
    .await;
}

#[tokio::test]
async fn a_state_change_is_a_compare_and_set_with_its_jobs() {
    each_backend(|store, label| async move {
        let request = created(create(&store, "a@b.co", t0()).await);
        let outcome = store
            .change_state(approve(request.id, t0(), vec![job("refresh_card", t0())]))
            .await
            .unwrap();
        let approved = match outcome {
            ChangeOutcome::Applied(r) => r,
            other => panic!("{label}: {other:?}"),
        };
        assert_eq!(approved.state, RequestState::Approved);
        assert_eq!(approved.version, 2);
        assert_eq!(approved.decided_by, Some(UserId::from("UAPP")));
        assert_eq!(approved.expires_at, Some(t0() + Duration::days(30)));
        // The loser of a race sees the winner's result and writes nothing.
        let late = store
            .change_state(approve(request.id, t0(), vec![job("refresh_card", t0())]))
            .await
            .unwrap();
        match late {
            ChangeOutcome::Conflict(current) => {
                assert_eq!(current.state, RequestState::Approved, "{label}")
            }
            other => panic!("{label}: {other:?}"),
        }
        assert_eq!(
            store.jobs_of_kind("refresh_card", 10).await.unwrap().len(),
            1,
            "{label}: the loser's jobs are not written"
        );
        assert_eq!(
            store
                .audit_for_request(&team(), request.id)
                .await
                .unwrap()
                .len(),
            2,
            "{label}"
        );
        assert!(matches!(
            store
                .change_state(approve(RequestId(999_999), t0(), vec![]))
                .await
                .unwrap(),
            ChangeOutcome::NotFound
        ));
    })
    .await;
}

#[tokio::test]
async fn cards_lists_and_counts() {
    each_backend(|store, label| async move {
        let a = created(create(&store, "a@b.co", t0()).await);
        let b = created(create(&store, "b@b.co", t0() + Duration::seconds(1)).await);
        let card = CardRef {
            channel: ChannelId::from("CREQ"),
            ts: "1.000001".into(),
        };
        store.set_card(&team(), a.id, &card, 1).await.unwrap();
        let a_now = store.get_request(&team(), a.id).await.unwrap().unwrap();
        assert_eq!(a_now.card, Some(card));
        assert_eq!(a_now.card_version, Some(1));
        store.set_card_version(&team(), a.id, 3).await.unwrap();
        store.set_card_version(&team(), a.id, 2).await.unwrap();
        assert_eq!(
            store
                .get_request(&team(), a.id)
                .await
                .unwrap()
                .unwrap()
                .card_version,
            Some(3),
            "{label}: versions only move forward"
        );

        let mine = store
            .requests_by_requester(&team(), &UserId::from("UREQ"), 10)
            .await
            .unwrap();
        assert_eq!(
            mine.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![b.id, a.id],
            "{label}: newest first"
        );
        let pending = store
            .requests_in_state(&team(), RequestState::Pending, 10)
            .await
            .unwrap();
        assert_eq!(
            pending.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![a.id, b.id],
            "{label}: oldest first"
        );
        assert!(
            store
                .get_request(&TeamId::from("T9"), a.id)
                .await
                .unwrap()
                .is_none(),
            "{label}: rows belong to their team"
        );
        assert_eq!(
            store
                .open_request_for_email(&team(), "a@b.co")
                .await
                .unwrap()
                .map(|r| r.id),
            Some(a.id)
        );
        let counts = store.count_by_state().await.unwrap();
        assert_eq!(counts, vec![(RequestState::Pending, 2)], "{label}");
    })
    .await;
}

#[tokio::test]
async fn audit_is_appended_and_exported_in_order() {
    each_backend(|store, label| async move {
        store
            .append_audit(audit("one", t0()), vec![])
            .await
            .unwrap();
        store
            .append_audit(
                audit("two", t0() + Duration::hours(1)),
                vec![job("post_message", t0())],
            )
            .await
            .unwrap();
        let all = store.audit_since(None).await.unwrap();
        assert_eq!(
            all.iter()
                .map(|r| r.entry.action.as_str())
                .collect::<Vec<_>>(),
            vec!["one", "two"],
            "{label}"
        );
        let later = store
            .audit_since(Some(t0() + Duration::minutes(30)))
            .await
            .unwrap();
        assert_eq!(later.len(), 1, "{label}");
        assert_eq!(later[0].entry.at, t0() + Duration::hours(1));
        assert_eq!(
            store.jobs_of_kind("post_message", 10).await.unwrap().len(),
            1,
            "{label}: jobs ride along"
        );
    })
    .await;
}

#[tokio::test]
async fn concurrent_deliveries_of_one_event_record_it_once() {
    // SQLite commits concurrent deliveries together (group commit); a batch may hold the same id twice.
    each_backend(|store, label| async move {
        let deliveries = (0..40).map(|i| {
            let store = store.clone();
            async move {
                let id = format!("EvConcurrent{}", i % 10);
                store
                    .record_event(
                        &team(),
                        &id,
                        "team_join",
                        t0(),
                        Some(always(job("account_event", t0()))),
                    )
                    .await
                    .unwrap()
            }
        });
        let results: Vec<bool> = futures_util::future::join_all(deliveries)
            .await
            .into_iter()
            .map(Recorded::is_new)
            .collect();
        assert_eq!(
            results.iter().filter(|new| **new).count(),
            10,
            "{label}: each id is new exactly once"
        );
        assert_eq!(
            store
                .jobs_of_kind("account_event", 100)
                .await
                .unwrap()
                .len(),
            10,
            "{label}: one job per event"
        );
    })
    .await;
}

#[tokio::test]
async fn a_retrying_job_holds_its_serial_key_and_a_later_timer_does_not() {
    each_backend(|store, label| async move {
        let lease = t0() + Duration::seconds(60);
        let keyed = |kind: &str, run_at| NewJob {
            serial_key: Some("account:7".into()),
            ..job(kind, run_at)
        };
        // A timer due in a month, then the resend, then the revocation's job.
        store
            .enqueue_jobs(&[
                keyed("timer", t0() + Duration::days(30)),
                keyed("resend", t0()),
                keyed("deactivate", t0()),
            ])
            .await
            .unwrap();
        let claimed = store.claim_jobs("a", t0(), lease, 10).await.unwrap();
        let kinds: Vec<&str> = claimed.iter().map(|j| j.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec!["resend"],
            "{label}: the far timer holds nobody back"
        );
        // The resend is rate limited: it waits a minute, and keeps its place.
        store
            .retry_job(
                claimed[0].id,
                "a",
                t0() + Duration::minutes(1),
                "429",
                false,
                t0(),
            )
            .await
            .unwrap();
        let now = t0() + Duration::seconds(30);
        assert!(
            store
                .claim_jobs("b", now, now + Duration::seconds(60), 10)
                .await
                .unwrap()
                .is_empty(),
            "{label}: the deactivation never overtakes the retrying resend"
        );
        let later = t0() + Duration::minutes(2);
        let kinds: Vec<String> = store
            .claim_jobs("b", later, later + Duration::seconds(60), 10)
            .await
            .unwrap()
            .into_iter()
            .map(|j| j.kind)
            .collect();
        assert_eq!(kinds, vec!["resend".to_string()], "{label}");
    })
    .await;
}

#[tokio::test]
async fn an_expiry_applies_only_to_the_deadline_it_was_scheduled_for() {
    each_backend(|store, label| async move {
        let request = created(create(&store, "late@x.io", t0()).await);
        let deadline = t0() + Duration::days(30);
        store
            .change_state(approve(request.id, t0(), vec![]))
            .await
            .unwrap();
        // An extension moved the deadline while the expiry was being decided.
        let moved = StateChange {
            fields: ChangedFields {
                expires_at: Some(deadline + Duration::days(14)),
                ..Default::default()
            },
            ..StateChange::new(
                &team(),
                request.id,
                RequestState::Approved,
                RequestState::Approved,
                audit("extend", t0()),
            )
        };
        assert!(matches!(
            store.change_state(moved).await.unwrap(),
            ChangeOutcome::Applied(_)
        ));
        let expire = StateChange {
            only_if_expires_at: Some(deadline),
            ..StateChange::new(
                &team(),
                request.id,
                RequestState::Approved,
                RequestState::Expired,
                audit("expire", t0()),
            )
        };
        match store.change_state(expire).await.unwrap() {
            ChangeOutcome::Conflict(now) => {
                assert_eq!(now.state, RequestState::Approved, "{label}");
                assert_eq!(now.expires_at, Some(deadline + Duration::days(14)));
            }
            other => panic!("{label}: the stale expiry applied: {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn one_pending_extension_per_guest_and_clean_text() {
    each_backend(|store, label| async move {
        let parent = created(create(&store, "parent@x.io", t0()).await);
        let extension = |reason: &str| NewRequest {
            kind: RequestKind::Extension,
            parent_id: Some(parent.id),
            reason: reason.into(),
            ..new_request("parent@x.io")
        };
        let first = store
            .create_request(
                &extension("More\u{0} time"),
                RequestState::Pending,
                t0(),
                audit("submit_extension", t0()),
                Box::new(|_| vec![]),
            )
            .await
            .unwrap();
        let first = created(first);
        assert_eq!(
            first.reason, "More time",
            "{label}: NUL dropped, on Postgres too"
        );
        let second = store
            .create_request(
                &extension("Even more"),
                RequestState::Pending,
                t0(),
                audit("submit_extension", t0()),
                Box::new(|_| vec![]),
            )
            .await
            .unwrap();
        match second {
            CreateOutcome::Duplicate(existing) => assert_eq!(existing.id, first.id, "{label}"),
            other => panic!("{label}: a second pending extension was stored: {other:?}"),
        }
    })
    .await;
}

fn cast(
    id: RequestId,
    voter: &str,
    round: i64,
    amendment: Option<guestlist::store::Amendment>,
    decide_at: usize,
) -> guestlist::store::VoteCast {
    use guestlist::domain::quorum::{Verdict, Vote};
    guestlist::store::VoteCast {
        team_id: team(),
        request_id: id,
        round,
        vote: Vote {
            voter: UserId::from(voter),
            verdict: Verdict::Approve,
            roles: vec!["owner".into()],
        },
        note: None,
        at: t0(),
        amendment,
        audit: AuditEntry {
            request_id: Some(id),
            ..audit("vote_approve", t0())
        },
        // Decides once `decide_at` votes are in, with a job that says so.
        then: Box::new(move |_, votes| guestlist::store::VoteEffects {
            jobs: vec![job("counted", t0())],
            decision: (votes.len() >= decide_at)
                .then(|| approve(id, t0(), vec![job("decided", t0())])),
        }),
    }
}

#[tokio::test]
async fn votes_count_once_per_person_and_round_and_the_decision_rides_in_their_transaction() {
    use guestlist::domain::quorum::{TermChange, Terms};
    use guestlist::store::{Amendment, VoteOutcome};
    each_backend(|store, label| async move {
        let id = created(create(&store, "grace@partner.com", t0()).await).id;
        let counted = store.cast_vote(cast(id, "UA", 1, None, 2)).await.unwrap();
        let VoteOutcome::Counted { votes, decided, .. } = counted else {
            panic!("{label}: {counted:?}")
        };
        assert_eq!((votes.len(), decided.is_none()), (1, true), "{label}");
        // The same person again: nothing is written.
        let again = store.cast_vote(cast(id, "UA", 1, None, 1)).await.unwrap();
        assert!(
            matches!(again, VoteOutcome::AlreadyVoted(_)),
            "{label}: {again:?}"
        );
        assert_eq!(
            store.jobs_of_kind("counted", 10).await.unwrap().len(),
            1,
            "{label}"
        );

        // A change starts round 2: a vote for round 1 no longer counts.
        let narrowed = Amendment {
            terms: Terms {
                guest_type: GuestType::SingleChannel,
                channels: vec![ChannelId::from("C1")],
                expiry: Expiry::AfterDays { days: 10 },
            },
            changes: vec![TermChange::Channels {
                from: vec![ChannelId::from("C1"), ChannelId::from("C2")],
                to: vec![ChannelId::from("C1")],
            }],
        };
        let changed = store
            .cast_vote(cast(id, "UB", 1, Some(narrowed), 2))
            .await
            .unwrap();
        let VoteOutcome::Counted { request, votes, .. } = changed else {
            panic!("{label}: {changed:?}")
        };
        assert_eq!(request.approval_round, 2, "{label}");
        assert_eq!(request.channels, vec![ChannelId::from("C1")], "{label}");
        assert_eq!(request.guest_type, GuestType::SingleChannel, "{label}");
        assert_eq!(request.amendment.len(), 1, "{label}");
        assert_eq!(votes.len(), 1, "{label}: round 2 starts with the changer");
        let stale = store.cast_vote(cast(id, "UC", 1, None, 2)).await.unwrap();
        assert!(
            matches!(stale, VoteOutcome::Conflict(_)),
            "{label}: {stale:?}"
        );

        // The second vote of round 2 decides, with its jobs, in one transaction.
        let deciding = store.cast_vote(cast(id, "UA", 2, None, 2)).await.unwrap();
        let VoteOutcome::Counted { decided, .. } = deciding else {
            panic!("{label}: {deciding:?}")
        };
        assert_eq!(decided.unwrap().state, RequestState::Approved, "{label}");
        assert_eq!(
            store.jobs_of_kind("decided", 10).await.unwrap().len(),
            1,
            "{label}"
        );
        let late = store.cast_vote(cast(id, "UD", 2, None, 1)).await.unwrap();
        assert!(
            matches!(late, VoteOutcome::Conflict(_)),
            "{label}: {late:?}"
        );
        let round2 = store.votes(&team(), id, 2).await.unwrap();
        assert_eq!(
            round2.iter().map(|v| v.voter.as_str()).collect::<Vec<_>>(),
            ["UB", "UA"],
            "{label}"
        );
        let actions: Vec<String> = store
            .audit_for_request(&team(), id)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.entry.action)
            .collect();
        assert_eq!(
            actions,
            [
                "submit",
                "vote_approve",
                "vote_approve",
                "vote_approve",
                "approve"
            ],
            "{label}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_event_about_a_stranger_is_recorded_without_a_job_and_one_about_a_known_person_gets_it()
{
    use guestlist::store::{EventJob, KnownPerson};
    each_backend(|store, label| async move {
        created(create(&store, "grace@partner.com", t0()).await);
        let about = |email: &str, user: &str| EventJob {
            job: job("account_event", t0()),
            only_if_known: Some(KnownPerson {
                user_id: Some(user.into()),
                email: Some(email.into()),
            }),
        };
        // One batch of many deliveries (concurrent), three of them about Grace.
        let deliveries = (0..60).map(|i| {
            let store = store.clone();
            async move {
                let event = if i % 20 == 0 {
                    about("grace@partner.com", "WGRACE")
                } else {
                    about(&format!("person{i}@acme.test"), &format!("W{i}"))
                };
                store
                    .record_event(
                        &team(),
                        &format!("EvUc{i}"),
                        "user_change",
                        t0(),
                        Some(event),
                    )
                    .await
                    .unwrap()
            }
        });
        let recorded: Vec<Recorded> = futures_util::future::join_all(deliveries).await;
        assert!(recorded.iter().all(|r| r.is_new()), "{label}");
        assert_eq!(
            recorded.iter().filter(|r| r.job_queued()).count(),
            3,
            "{label}: the deliveries that became work say so (only they wake the worker)"
        );
        assert_eq!(
            store
                .jobs_of_kind("account_event", 100)
                .await
                .unwrap()
                .len(),
            3,
            "{label}: only the deliveries about a known person became work"
        );
        // Another team's request does not make the person known here.
        let other = store
            .record_event(
                &TeamId::from("T2"),
                "EvOther",
                "user_change",
                t0(),
                Some(about("grace@partner.com", "WGRACE")),
            )
            .await
            .unwrap();
        assert_eq!(other, Recorded::New { job_queued: false }, "{label}");
        assert_eq!(
            store
                .jobs_of_kind("account_event", 100)
                .await
                .unwrap()
                .len(),
            3,
            "{label}"
        );
    })
    .await;
}

#[tokio::test]
async fn spent_oauth_states_are_purged_after_their_retention() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let store = fresh_store(&backend, &dir).await;
        store.migrate().await.unwrap();
        let t0 = Utc::now();
        assert!(store.spend_oauth_state("nonce-a", t0).await.unwrap());
        assert!(
            !store.spend_oauth_state("nonce-a", t0).await.unwrap(),
            "{backend:?}: spent once"
        );
        assert!(
            store
                .spend_oauth_state("nonce-b", t0 + Duration::hours(2))
                .await
                .unwrap()
        );
        let purged = store
            .purge_oauth_states(t0 + Duration::hours(1))
            .await
            .unwrap();
        assert_eq!(purged, 1, "{backend:?}: only the older one");
        assert!(
            !store
                .spend_oauth_state("nonce-b", t0 + Duration::hours(3))
                .await
                .unwrap(),
            "{backend:?}: the newer one is still spent"
        );
    }
}
