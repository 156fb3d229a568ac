//! Every Web API call's arguments read against Slack's OpenAPI spec (slackapi/slack-api-specs,
//! vendored trimmed in `tests/fixtures/slack-api-specs/`): a required argument missing is
//! refused with `invalid_arguments`, as Slack's newer methods refuse it.
//!
//! One rule is stricter than Slack, on purpose: an argument the method does not take is refused
//! too. Slack ignores it silently, so a misspelt or invented argument (`users` for `user`, a
//! `team_id` a method does not read) would pass every test here and do nothing in a workspace.

use super::methods::Refusal;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

const SPEC: &str = include_str!("../../tests/fixtures/slack-api-specs/web-api-parameters.json");

/// Arguments Slack documents today that the October 2020 spec predates, each from the method's
/// page at docs.slack.dev; and the methods the spec does not have at all.
const LATER: &[(&str, &[&str])] = &[
    // "Encoded team id to list users in, required if org token is used."
    ("users.list", &["team_id"]),
    ("conversations.list", &["team_id"]),
    ("usergroups.list", &["team_id"]),
    ("usergroups.users.list", &["team_id"]),
    ("auth.teams.list", &["cursor", "limit", "include_icon"]),
    (
        "admin.users.list",
        &[
            "only_guests",
            "is_active",
            "include_deactivated_user_workspaces",
        ],
    ),
    ("apps.connections.open", &[]),
];

struct Method {
    known: BTreeSet<String>,
    required: Vec<String>,
}

fn spec() -> &'static BTreeMap<String, Method> {
    static METHODS: OnceLock<BTreeMap<String, Method>> = OnceLock::new();
    METHODS.get_or_init(|| {
        let spec: Value = serde_json::from_str(SPEC).expect("the vendored spec is JSON");
        let mut methods = BTreeMap::new();
        for (name, method) in spec["methods"].as_object().into_iter().flatten() {
            let parameters = method["parameters"].as_array().into_iter().flatten();
            let mut known = BTreeSet::new();
            let mut required = Vec::new();
            for p in parameters {
                let Some(arg) = p["name"].as_str() else {
                    continue;
                };
                known.insert(arg.to_string());
                if p["required"].as_bool() == Some(true) {
                    required.push(arg.to_string());
                }
            }
            methods.insert(name.clone(), Method { known, required });
        }
        for (name, extra) in LATER {
            let method = methods.entry((*name).to_string()).or_insert(Method {
                known: BTreeSet::new(),
                required: Vec::new(),
            });
            method.known.extend(extra.iter().map(|a| (*a).to_string()));
        }
        methods
    })
}

/// `Err` as Slack answers (`invalid_arguments`, with a message naming the argument) when a
/// required argument is missing or empty, or an argument is one the method does not take.
/// Methods the spec does not know pass: the fake's own answer for them decides.
pub(super) fn check(method: &str, args: &Map<String, Value>) -> Result<(), Refusal> {
    let Some(spec) = spec().get(method) else {
        return Ok(());
    };
    let mut messages = Vec::new();
    for name in &spec.required {
        let present = match args.get(name) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.is_empty(),
            Some(_) => true,
        };
        if !present {
            messages.push(format!("[ERROR] missing required field: {name}"));
        }
    }
    for name in args.keys() {
        if name != "token" && !spec.known.contains(name) {
            messages.push(format!(
                "[ERROR] unknown argument: {name} ({method} does not take it; Slack would ignore it)"
            ));
        }
    }
    if messages.is_empty() {
        Ok(())
    } else {
        Err(Refusal {
            error: "invalid_arguments".into(),
            messages,
        })
    }
}

/// Whether the vendored spec (or the later additions above) describes `method`.
pub fn is_described(method: &str) -> bool {
    spec().contains_key(method)
}
