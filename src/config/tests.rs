//! Configuration, loaded from strings: every bad value names its key.

use super::*;
use crate::provision::ProvisioningMode;
use secrecy::ExposeSecret;
use std::collections::HashMap;

fn load_with(file: Option<&str>, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("guestlist.toml");
    if let Some(text) = file {
        std::fs::write(&path, text).unwrap();
    }
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let env = move |k: &str| vars.get(k).cloned();
    Config::load(&Sources {
        path,
        explicit: file.is_some(),
        env: &env,
    })
}

#[test]
fn defaults_need_no_file() {
    let config = load_with(None, &[]).unwrap();
    assert_eq!(config.listen.to_string(), "0.0.0.0:3000");
    assert_eq!(config.database_url.expose_secret(), DEFAULT_DATABASE_URL);
    assert_eq!(config.slack.api_url, DEFAULT_SLACK_API_URL);
    assert_eq!(config.requests.max_expiry_days, Some(90));
    // Before roles, workspace admins approved by default, and everyone could ask: still so.
    let names: Vec<&str> = config.roles.0.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["approvers", "requesters"]);
    assert!(config.roles.0[0].holders.workspace_admins);
    assert!(config.roles.0[1].holders.everyone);
}

#[test]
fn serve_names_what_is_missing() {
    let config = load_with(None, &[]).unwrap();
    let err = config.require_for_serve().unwrap_err();
    assert_eq!(err.key, "SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN");
    assert!(!err.to_string().contains('\n'));
    let config = load_with(
        None,
        &[("SLACK_SIGNING_SECRET", "s"), ("SLACK_BOT_TOKEN", "xoxb-1")],
    )
    .unwrap();
    assert!(config.require_for_serve().is_ok());
}

#[test]
fn signing_secrets_are_a_comma_separated_list() {
    let config = load_with(None, &[("SLACK_SIGNING_SECRET", "old, new,")]).unwrap();
    let secrets: Vec<&str> = config
        .slack
        .signing_secrets
        .iter()
        .map(|s| s.expose_secret())
        .collect();
    assert_eq!(secrets, vec!["old", "new"]);
}

#[test]
fn environment_overrides_the_file() {
    let file =
        "[server]\nlisten = \"127.0.0.1:4000\"\n[database]\nurl = \"sqlite://from-file.db\"\n";
    let config = load_with(Some(file), &[("GUESTLIST_LISTEN", "127.0.0.1:5000")]).unwrap();
    assert_eq!(config.listen.to_string(), "127.0.0.1:5000");
    assert_eq!(config.database_url.expose_secret(), "sqlite://from-file.db");
}

#[test]
fn bad_values_name_their_key() {
    let err = load_with(None, &[("GUESTLIST_LISTEN", "three thousand")]).unwrap_err();
    assert_eq!(err.key, "GUESTLIST_LISTEN");
    let err = load_with(None, &[("DATABASE_URL", "mysql://x")]).unwrap_err();
    assert_eq!(err.key, "DATABASE_URL");
    let err = load_with(None, &[("SLACK_API_URL", "slack.com")]).unwrap_err();
    assert_eq!(err.key, "SLACK_API_URL");
    let err = load_with(None, &[("SLACK_BOT_TOKEN", "hunter2")]).unwrap_err();
    assert_eq!(err.key, "SLACK_BOT_TOKEN");
    assert!(
        !err.to_string().contains("hunter2"),
        "a secret must never be echoed"
    );
    let err = load_with(Some("[approvers]\nusers = [\"alice\"]\n"), &[]).unwrap_err();
    assert_eq!(err.key, "approvers.users");
    let err = load_with(Some("[requests]\nguest_types = [\"vip\"]\n"), &[]).unwrap_err();
    assert_eq!(err.key, "requests.guest_types");
    let err = load_with(Some("[jobs]\nworkers = 0\n"), &[]).unwrap_err();
    assert_eq!(err.key, "jobs.workers");
    let err = load_with(Some("[review]\noutcome = \"forget\"\n"), &[]).unwrap_err();
    assert_eq!(err.key, "review.outcome");
    let err = load_with(Some("[review]\ndeadline_days = 0\n"), &[]).unwrap_err();
    assert_eq!(err.key, "review.deadline_days");
    let review = load_with(Some("[review]\nevery_days = 90\noutcome = \"end\"\n"), &[])
        .unwrap()
        .review;
    assert_eq!(
        review.every,
        Some(std::time::Duration::from_secs(90 * 86400))
    );
    assert_eq!(review.outcome, crate::domain::review::ReviewOutcome::End);
}

#[test]
fn provisioning_modes_need_their_credentials() {
    let err = load_with(Some("[provisioning]\nmode = \"slack_admin\"\n"), &[]).unwrap_err();
    assert_eq!(err.key, "SLACK_ADMIN_TOKEN");
    let ok = load_with(
        Some("[provisioning]\nmode = \"slack_admin\"\n"),
        &[("SLACK_ADMIN_TOKEN", "xoxp-1")],
    )
    .unwrap();
    assert_eq!(ok.provisioning.mode, ProvisioningMode::SlackAdmin);
    let err = load_with(Some("[provisioning]\nmode = \"scim\"\n"), &[]).unwrap_err();
    assert_eq!(err.key, "provisioning.scim");
    let scim = "[provisioning]\nmode = \"scim\"\n[provisioning.scim]\nbase_url = \"https://api.slack.com/scim/v2\"\n";
    assert_eq!(load_with(Some(scim), &[]).unwrap_err().key, "SCIM_TOKEN");
    let ok = load_with(Some(scim), &[("SCIM_TOKEN", "tok-sekrit")]).unwrap();
    assert!(!format!("{ok:?}").contains("tok-sekrit"));
    let err = load_with(Some("[provisioning]\nmode = \"carrier_pigeon\"\n"), &[]).unwrap_err();
    assert_eq!(err.key, "provisioning.mode");
    let defaults = load_with(None, &[]).unwrap().provisioning;
    assert_eq!(defaults.mode, ProvisioningMode::Manual);
    assert_eq!(defaults.invite_valid.as_secs(), 7 * 86400);
    assert_eq!(defaults.resend_min_gap.as_secs(), 3600);
}

#[test]
fn sync_rules_are_read_and_checked() {
    let good = "[[sync]]\nname = \"partners\"\ntarget_team = \"T0PARTNERS\"\nusergroups = [\"S0PARTNERS\", \"@contractors\"]\nchannels = [\"C0PROJECT\"]\nexpiry_days = 30\nmax_changes = \"10%\"\n\n[[sync]]\nname = \"everyone\"\ntarget_team = \"T0SHARED\"\nworkspace = true\nguest_type = \"member\"\nchannels = [\"C0GENERAL\"]\non_removal = \"deactivate\"\n";
    let config = load_with(Some(good), &[]).unwrap();
    assert_eq!(config.sync.rules.len(), 2);
    assert_eq!(
        config.sync.rules[0].max_changes,
        crate::domain::sync::MaxChanges::Percent(10.0)
    );
    assert!(config.sync.rules[0].uses_group("SX", Some("contractors")));
    assert_eq!(config.sync.rules[0].target_team.as_str(), "T0PARTNERS");
    assert_eq!(config.sync.interval.as_secs(), 15 * 60);
    let without_target = "[[sync]]\nname = \"r\"\nusergroups = [\"S0001\"]\nchannels = [\"C0001\"]\nexpiry_days = 3\n";
    let err = load_with(Some(without_target), &[]).unwrap_err();
    assert_eq!(err.key, "sync.r.target_team");
    assert!(err.message.contains("another workspace"), "{err}");
    for (bad, key) in [
        (
            "[[sync]]\nname = \"r\"\nsource_team = \"T0OTHER\"\ntarget_team = \"T0OTHER\"\nusergroups = [\"S0001\"]\nchannels = [\"C0001\"]\nexpiry_days = 3\n",
            "sync.r.target_team",
        ),
        (
            "[[sync]]\nname = \"r\"\nsource_team = \"C0OTHER\"\ntarget_team = \"T0OTHER\"\nusergroups = [\"S0001\"]\nchannels = [\"C0001\"]\nexpiry_days = 3\n",
            "sync.r.source_team",
        ),
        (
            "[[sync]]\nname = \"r\"\ntarget_team = \"T0OTHER\"\nchannels = [\"C0001\"]\nexpiry_days = 3\n",
            "sync.r.usergroups",
        ),
        (
            "[[sync]]\nname = \"r\"\ntarget_team = \"T0OTHER\"\nusergroups = [\"S0001\"]\nchannels = [\"C0001\"]\n",
            "sync.r.expiry_days",
        ),
        (
            "[[sync]]\nname = \"r\"\ntarget_team = \"T0OTHER\"\nusergroups = [\"S0001\"]\nchannels = [\"C0001\"]\nexpiry_days = 3\nmax_changes = \"lots\"\n",
            "sync.r.max_changes",
        ),
        (
            "[[sync]]\nname = \"r\"\ntarget_team = \"T0OTHER\"\nusergroups = [\"S0001\"]\nchannels = []\nexpiry_days = 3\n",
            "sync.r.channels",
        ),
        (
            "[[sync]]\nname = \"r\"\ntarget_team = \"T0OTHER\"\nusergroups = [\"S0001\"]\nchannels = [\"C0001\"]\nexpiry_days = 3\nprovisioner = \"scim\"\n",
            "sync.r.provisioner",
        ),
        (
            "[[sync]]\nname = \"r\"\ntarget_team = \"T0OTHER\"\nusergroups = [\"S0001\"]\nchannels = [\"C0001\"]\nexpiry_days = 3\nprovisioner = \"fax\"\n",
            "sync.r.provisioner",
        ),
    ] {
        assert_eq!(load_with(Some(bad), &[]).unwrap_err().key, key, "{bad}");
    }
}

#[test]
fn auto_approve_rules_load_and_bad_ones_name_their_key() {
    let good = "[[auto_approve]]\nname = \"partners\"\ndomains = [\"@Partner.example\"]\nchannels = [\"C0PROJECT\"]\n";
    let config = load_with(Some(good), &[]).unwrap();
    let rule = &config.auto_approve[0];
    assert_eq!(rule.domains, vec!["partner.example".to_string()]);
    assert_eq!(rule.max_expiry_days, 30);
    assert_eq!(rule.guest_types, config.requests.guest_types);
    for (bad, key) in [
        (
            "[[auto_approve]]\nname = \"p\"\ndomains = []\n",
            "auto_approve.p.domains",
        ),
        (
            "[[auto_approve]]\nname = \"p\"\ndomains = [\"nodot\"]\n",
            "auto_approve.p.domains",
        ),
        (
            "[requests]\nblocked_domains = [\"partner.example\"]\n[[auto_approve]]\nname = \"p\"\ndomains = [\"eu.partner.example\"]\n",
            "auto_approve.p.domains",
        ),
        (
            "[[auto_approve]]\nname = \"p\"\ndomains = [\"a.example\"]\nguest_types = [\"member\"]\n",
            "auto_approve.p.guest_types",
        ),
        (
            "[[auto_approve]]\nname = \"p\"\ndomains = [\"a.example\"]\nmax_expiry_days = 0\n",
            "auto_approve.p.max_expiry_days",
        ),
    ] {
        assert_eq!(load_with(Some(bad), &[]).unwrap_err().key, key, "{bad}");
    }
}

#[test]
fn the_shipped_configuration_files_load() {
    for file in [
        "guestlist.example.toml",
        "manifests/kubernetes/base/guestlist.toml",
    ] {
        let text =
            std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let config = load_with(Some(&text), &[]).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(config.slack.request_channel.is_some(), "{file}");
    }
}

#[test]
fn typos_in_the_file_are_caught_with_their_line() {
    let err = load_with(Some("[slack]\n\nrequest_chanel = \"C1\"\n"), &[]).unwrap_err();
    assert!(err.key.ends_with("guestlist.toml:3"), "{err}");
    assert!(err.message.contains("request_chanel"), "{err}");
}

#[test]
fn an_explicit_file_must_exist() {
    let vars: HashMap<String, String> = HashMap::new();
    let env = move |k: &str| vars.get(k).cloned();
    let err = Config::load(&Sources {
        path: "/nonexistent/g.toml".into(),
        explicit: true,
        env: &env,
    })
    .unwrap_err();
    assert_eq!(err.key, "--config");
}

#[test]
fn debug_output_redacts_secrets() {
    let config = load_with(
        None,
        &[
            ("SLACK_SIGNING_SECRET", "sekrit-signing"),
            ("SLACK_BOT_TOKEN", "xoxb-sekrit"),
            ("DATABASE_URL", "postgres://u:pw-sekrit@h/db"),
        ],
    )
    .unwrap();
    let debug = format!("{config:?}");
    let described = config.describe();
    for text in [debug, described.clone()] {
        assert!(!text.contains("sekrit"), "{text}");
    }
    assert!(
        described.contains("postgres://u:REDACTED@h/db"),
        "{described}"
    );
}

#[test]
fn roles_quorum_rules_and_time_limits_load_and_config_check_prints_them() {
    use crate::domain::roles::{Right, Scope, Standing};
    let text = r#"
[[roles]]
name = "security"
preset = "owner"
usergroups = ["S0SECURITY"]

[[roles]]
name = "project-leads"
preset = "manager"
users = ["U0LEAD"]
channels = ["C0PROJECT"]
channel_admins = { C0DESIGN = "S0DESIGNADMINS" }

[[roles]]
name = "staff"
preset = "member"
everyone = true

[[roles]]
name = "auditors"
rights = ["review"]
users = ["U0AUDIT"]

[[quorum]]
name = "long-or-wide"
guest_types = ["multi_channel"]
approvals = 2
from_roles = ["project-leads", "security"]
decide_within_days = 3

[approvals]
remind_after_hours = [4, 24]
escalate_after_hours = 48
escalate_to_usergroup = "S0SECURITY"
decide_within_days = 7
"#;
    let config = load_with(Some(text), &[]).unwrap();
    let names: Vec<&str> = config.roles.0.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["security", "project-leads", "staff", "auditors"],
        "no legacy roles once [[roles]] are written"
    );
    let leads = config.roles.by_name("project-leads").unwrap();
    assert_eq!(
        leads.scope,
        Scope::Channels(vec![ChannelId::from("C0PROJECT")])
    );
    let lead = Standing {
        user: "U0LEAD".into(),
        ..Standing::default()
    };
    assert!(
        config
            .roles
            .may(&lead, Right::Decide, &[ChannelId::from("C0PROJECT")], None)
            .is_ok()
    );
    assert!(config.roles.may(&lead, Right::Import, &[], None).is_err());
    assert_eq!(config.quorum[0].approvals, 2);
    assert_eq!(
        config.quorum[0].decide_within,
        Some(chrono::Duration::days(3))
    );
    assert_eq!(config.approvals.reminders.len(), 2);
    assert_eq!(
        config.approvals.escalation.as_ref().unwrap().after,
        Duration::from_secs(48 * 3600)
    );
    let described = config.describe();
    for expected in [
        "security             request, decide, revoke, convert, import, sync, review · everywhere",
        "held by: members of S0SECURITY",
        "project-leads        decide, revoke, review · for requests only in C0PROJECT",
        "members of S0DESIGNADMINS for C0DESIGN",
        "staff                request · everywhere",
        "held by: everyone (not guests)",
        "long-or-wide         2 approval(s) including one from each of project-leads, security",
        "lapses after 3 days · when guest type multi_channel",
        "approvals.remind_after_hours       4, 24",
        "48 → user group S0SECURITY",
    ] {
        assert!(
            described.contains(expected),
            "missing {expected:?} in:\n{described}"
        );
    }
}

#[test]
fn the_keys_from_before_roles_are_read_as_roles() {
    use crate::domain::roles::{Refusal, Right, Standing};
    let text = "[approvers]\nusers = [\"U0BOSS\"]\nusergroups = [\"S0APPROVERS\"]\nworkspace_admins = false\n\
                [[approvers.channel_scoped]]\nuser = \"U0LEAD\"\nchannels = [\"C0PROJECT\"]\n\
                [requests]\nrequester_usergroups = [\"S0STAFF\"]\nstale_after_hours = 12\n";
    let config = load_with(Some(text), &[]).unwrap();
    let names: Vec<&str> = config.roles.0.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["approvers", "channel_approver_1", "requesters"]);
    let roles = &config.roles;
    let person = |user: &str, groups: &[&str]| Standing {
        user: user.into(),
        groups: groups.iter().map(|g| UserGroupIdOf(g)).collect(),
        ..Standing::default()
    };
    let (project, other) = (ChannelId::from("C0PROJECT"), ChannelId::from("C0OTHER"));
    // Approvers decide and run everything, as before, but only group members ask.
    for right in [
        Right::Decide,
        Right::Revoke,
        Right::Convert,
        Right::Import,
        Right::Sync,
    ] {
        assert!(
            roles
                .may(
                    &person("U0BOSS", &[]),
                    right,
                    std::slice::from_ref(&other),
                    None
                )
                .is_ok(),
            "{right}"
        );
    }
    assert!(
        roles
            .may(&person("U0BOSS", &[]), Right::Request, &[], None)
            .is_err()
    );
    assert!(
        roles
            .may(
                &person("U0ANY", &["S0APPROVERS"]),
                Right::Decide,
                std::slice::from_ref(&other),
                None
            )
            .is_ok()
    );
    assert!(
        roles
            .may(&person("U0ANY", &["S0STAFF"]), Right::Request, &[], None)
            .is_ok()
    );
    // A channel-scoped approver decides inside their channels only, and never imports.
    let lead = person("U0LEAD", &[]);
    assert!(
        roles
            .may(&lead, Right::Decide, std::slice::from_ref(&project), None)
            .is_ok()
    );
    assert!(matches!(
        roles.may(&lead, Right::Decide, &[project, other], None),
        Err(Refusal::OutsideScope { .. })
    ));
    assert!(roles.may(&lead, Right::Import, &[], None).is_err());
    assert_eq!(
        config.approvals.reminders,
        vec![Duration::from_secs(12 * 3600)]
    );
}

#[allow(non_snake_case)]
fn UserGroupIdOf(id: &str) -> crate::domain::UserGroupId {
    crate::domain::UserGroupId::from(id)
}

#[test]
fn bad_roles_and_quorum_rules_name_their_key() {
    for (bad, key) in [
        (
            "[[roles]]\nname = \"x\"\nusers = [\"U0A\"]\n",
            "roles.x.preset",
        ),
        (
            "[[roles]]\nname = \"x\"\npreset = \"boss\"\nusers = [\"U0A\"]\n",
            "roles.x.preset",
        ),
        (
            "[[roles]]\nname = \"x\"\nrights = [\"fly\"]\nusers = [\"U0A\"]\n",
            "roles.x.rights",
        ),
        (
            "[[roles]]\nname = \"x\"\npreset = \"owner\"\n",
            "roles.x.users",
        ),
        (
            "[[roles]]\nname = \"x\"\npreset = \"manager\"\nusers = [\"U0A\"]\n",
            "roles.x.channels",
        ),
        (
            "[[roles]]\nname = \"x\"\npreset = \"owner\"\nusers = [\"U0A\"]\nchannels = [\"C0A\"]\n",
            "roles.x.channels",
        ),
        (
            "[[roles]]\nname = \"x\"\npreset = \"owner\"\nusers = [\"alice\"]\n",
            "roles.x.users",
        ),
        (
            "[[roles]]\nname = \"x\"\nrights = [\"decide\"]\nusers = [\"U0A\"]\n",
            "roles",
        ),
        (
            "[[quorum]]\nname = \"q\"\napprovals = 2\nfrom_roles = [\"nobody\"]\n",
            "quorum.q.from_roles",
        ),
        (
            "[[quorum]]\nname = \"q\"\napprovals = 0\n",
            "quorum.q.approvals",
        ),
        (
            "[[quorum]]\nname = \"q\"\napprovals = 1\ndeny = \"maybe\"\n",
            "quorum.q.deny",
        ),
        (
            "[approvals]\nremind_after_hours = [24, 4]\n",
            "approvals.remind_after_hours",
        ),
        (
            "[approvals]\nremind_after_hours = [200]\n",
            "approvals.remind_after_hours",
        ),
        (
            "[approvals]\nescalate_after_hours = 4\n",
            "approvals.escalate_after_hours",
        ),
        (
            "[approvals]\nescalate_to_owners = true\n",
            "approvals.escalate_after_hours",
        ),
        (
            "[approvals]\nremind_after_hours = [4]\n[requests]\nstale_after_hours = 4\n",
            "requests.stale_after_hours",
        ),
    ] {
        assert_eq!(load_with(Some(bad), &[]).unwrap_err().key, key, "{bad}");
    }
}

#[test]
fn the_join_page_keys_name_themselves() {
    let err = |toml: &str| load_with(Some(toml), &[]).unwrap_err().key;
    assert_eq!(
        err("[server]\npublic_url = \"ftp://x\"\n"),
        "server.public_url"
    );
    assert_eq!(
        err("[server]\npublic_url = \"https://g.example/?a=1\"\n"),
        "server.public_url"
    );
    let with_url = "[server]\npublic_url = \"https://g.example/\"\n";
    let config = load_with(Some(with_url), &[]).unwrap();
    assert_eq!(config.join.public_url.as_deref(), Some("https://g.example"));
    assert!(config.join_guard.secure_cookies);
    assert!(config.join.self_registration.is_none());
    assert_eq!(
        err(
            "[self_registration]\nallowed_domains = [\"p.example\"]\nchannels = [\"C0123456789\"]\nsponsor = \"U0123456789\"\n"
        ),
        "server.public_url"
    );
    let section = |body: &str| format!("{with_url}[self_registration]\n{body}");
    assert_eq!(
        err(&section(
            "allowed_domains = [\"p.example\"]\nchannels = [\"C0123456789\"]\n"
        )),
        "self_registration.sponsor"
    );
    assert_eq!(
        err(&section(
            "allowed_domains = [\"nodot\"]\nchannels = [\"C0123456789\"]\nsponsor = \"U0123456789\"\n"
        )),
        "self_registration.allowed_domains"
    );
    assert_eq!(
        err(&section(
            "allowed_domains = [\"p.example\"]\nsponsor = \"U0123456789\"\n"
        )),
        "self_registration.channels"
    );
    assert_eq!(
        err(&section(
            "allowed_domains = [\"p.example\"]\nchannels = [\"C0123456789\"]\nsponsor = \"U0123456789\"\nexpiry_days = 400\n"
        )),
        "self_registration.expiry_days"
    );
    let config = load_with(
        Some(&section(
            "allowed_domains = [\"@P.example\"]\nchannels = [\"C0123456789\"]\nsponsor = \"U0123456789\"\n",
        )),
        &[],
    )
    .unwrap();
    let rules = config.join.self_registration.unwrap();
    assert_eq!(rules.allowed_domains, ["p.example"]);
    assert_eq!(
        rules.terms.expiry,
        crate::domain::Expiry::AfterDays { days: 30 }
    );
}

#[test]
fn language_and_profile_keys_name_themselves() {
    let err = |toml: &str| load_with(Some(toml), &[]).unwrap_err();
    let bad = err("[slack]\nlanguage = \"de\"\n");
    assert_eq!(bad.key, "slack.language");
    assert!(bad.message.contains("en or fr"), "{}", bad.message);
    let bad = err("[profile]\ntitle = \"mandatory\"\n");
    assert_eq!(bad.key, "profile.title");
    assert!(
        bad.message.contains("off, optional, required"),
        "{}",
        bad.message
    );
    let unknown = err("[profile]\nshoe_size = \"off\"\n");
    assert!(unknown.message.contains("shoe_size"), "{}", unknown.message);
    let config = load_with(
        Some("[slack]\nlanguage = \"fr-FR\"\n[profile]\nphone = \"required\"\n"),
        &[],
    )
    .unwrap();
    assert_eq!(config.slack.language, crate::i18n::Lang::Fr);
    assert_eq!(
        config.requests.profile.phone,
        crate::domain::profile::Requirement::Required
    );
    let shown = config.describe();
    assert!(shown.contains("slack.language"), "{shown}");
    assert!(shown.contains("profile.phone"), "{shown}");
}

#[test]
fn installs_through_oauth_with_scim_must_name_who_may_install() {
    let vars = [
        ("SLACK_CLIENT_ID", "1234.5678"),
        ("SLACK_CLIENT_SECRET", "client-secret"),
        (
            "GUESTLIST_ENCRYPTION_KEY",
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        ),
        ("GUESTLIST_PUBLIC_URL", "https://guestlist.example.com"),
        ("SCIM_TOKEN", "scim-token"),
    ];
    let scim = "[provisioning]\nmode = \"scim\"\n\
                [provisioning.scim]\nbase_url = \"https://idp.example.com/scim/v2\"\n";
    let err = load_with(Some(scim), &vars).unwrap_err();
    assert_eq!(err.key, "slack.allowed_installs");
    assert!(err.to_string().contains("SCIM directory"), "{err}");

    let named = format!("[slack]\nallowed_installs = [\"E0ORG\", \"T0ONE\"]\n{scim}");
    let config = load_with(Some(&named), &vars).unwrap();
    let allowed = &config.slack.distribution.as_ref().unwrap().allowed_installs;
    assert_eq!(allowed, &["E0ORG", "T0ONE"]);

    let bad = "[slack]\nallowed_installs = [\"C0CHANNEL\"]\n";
    let err = load_with(Some(bad), &vars).unwrap_err();
    assert_eq!(err.key, "slack.allowed_installs");
    assert!(err.to_string().contains("C0CHANNEL"), "{err}");
}
