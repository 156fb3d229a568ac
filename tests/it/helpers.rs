//! A running Guestlist with its fake Slack, for one test, and the front door as tests use it:
//! `app.submit(…)`, `app.click(…)`, `app.approved(…)` and so on (zero2prod's `TestApp`).

#![allow(dead_code)]

use chrono::{DateTime, Utc};
use guestlist::app::App;
use guestlist::clock::{Clock, ManualClock, SharedClock};
use guestlist::config::{Config, Sources};
use guestlist::domain::{GuestRequest, RequestId, RequestState, TeamId};
use guestlist::fake_slack::{
    FAKE_TEAM_ID, FakeMessage, FakeSlack, FakeUser, FormInput, RecordedCall, SlackSender,
};
use guestlist::jobs::Worker;
use guestlist::store::{Inspect, PgStore, SharedStore, SqliteStore, Store};
use guestlist::workflow::Workflow;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

pub const SIGNING_SECRET: &str = "test-signing-secret";
pub const REQUEST_CHANNEL: &str = "CREQUESTS";
pub const APPROVER: &str = "UAPPROVER";
pub const APPROVER_2: &str = "UAPPROVER2";
pub const REQUESTER: &str = "UREQUESTER";
pub const OUTSIDER: &str = "UOUTSIDER";
pub const LEAD: &str = "ULEAD";

/// The approvers every test app has unless it names its own (`Builder::approvers`).
const DEFAULT_APPROVERS: &str = "[approvers]\nusers = [\"UAPPROVER\", \"UAPPROVER2\"]\nworkspace_admins = true\n\
     [[approvers.channel_scoped]]\nuser = \"ULEAD\"\nchannels = [\"CPROJECT\"]\n";

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    /// Postgres when GUESTLIST_TEST_POSTGRES_URL is set, SQLite otherwise.
    pub fn from_env() -> Self {
        match std::env::var("GUESTLIST_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Backend::Postgres(url),
            _ => Backend::Sqlite,
        }
    }

    /// Both backends: SQLite always; Postgres from `GUESTLIST_TEST_POSTGRES_URL`, else this
    /// machine's server (see `services`). Without one, a SKIPPED line says so.
    pub fn all() -> Vec<Backend> {
        let mut all = vec![Backend::Sqlite];
        match crate::services::postgres() {
            Ok(url) => all.push(Backend::Postgres(url)),
            Err(why) => {
                static SAID: std::sync::Once = std::sync::Once::new();
                SAID.call_once(|| {
                    crate::services::skipped("the Postgres half of store_contract and import", &why)
                });
            }
        }
        all
    }
}

/// A store as tests see it: what the bot uses, and the reads for operators and tests.
pub trait TestStore: Store + Inspect {}
impl<T: Store + Inspect> TestStore for T {}
pub type SharedTestStore = Arc<dyn TestStore>;

/// A fresh store: a new SQLite file, or a new Postgres schema.
pub async fn fresh_store(backend: &Backend, dir: &tempfile::TempDir) -> SharedTestStore {
    match backend {
        Backend::Sqlite => {
            let path = dir.path().join("guestlist.db");
            Arc::new(
                SqliteStore::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .expect("sqlite opens"),
            )
        }
        Backend::Postgres(url) => {
            let schema = format!("t_{:016x}", rand_u64());
            Arc::new(
                PgStore::connect_in_schema(url, &schema, 8)
                    .await
                    .expect("postgres connects"),
            )
        }
    }
}

pub fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.finish()
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub fake: FakeSlack,
    pub slack: SlackSender,
    pub store: SharedTestStore,
    pub workflow: Arc<Workflow>,
    pub worker: Worker,
    pub clock: Arc<ManualClock>,
    pub config: Config,
    pub shutdown: CancellationToken,
    pub dir: tempfile::TempDir,
    /// False for a second replica that shares another app's fake Slack.
    owns_fake: bool,
}

/// Adjusts the configuration before the app is built.
pub type Tweak = Box<dyn FnOnce(&mut HashMap<String, String>, &mut String)>;

pub struct Builder {
    backend: Backend,
    env: HashMap<String, String>,
    toml: String,
    store: Option<SharedTestStore>,
    sqlite_url: Option<String>,
    fake: Option<FakeSlack>,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    pub fn new() -> Self {
        let env = HashMap::from([
            (
                "SLACK_SIGNING_SECRET".to_string(),
                SIGNING_SECRET.to_string(),
            ),
            ("SLACK_BOT_TOKEN".to_string(), "xoxb-test-bot".to_string()),
            ("GUESTLIST_LISTEN".to_string(), "127.0.0.1:0".to_string()),
        ]);
        let toml = format!(
            "[slack]\nrequest_channel = \"{REQUEST_CHANNEL}\"\n\n\
             [jobs]\nbackoff_base_ms = 10\nbackoff_max_seconds = 1\nmax_attempts = 4\npoll_interval_ms = 50\n\n\
             {DEFAULT_APPROVERS}"
        );
        Self {
            backend: Backend::from_env(),
            env,
            toml,
            store: None,
            sqlite_url: None,
            fake: None,
        }
    }

    /// Replaces the default `[approvers]` section.
    pub fn approvers(mut self, section: &str) -> Self {
        self.toml = self.toml.replace(DEFAULT_APPROVERS, section);
        self
    }

    /// Talks to this fake Slack instead of a new one (a second replica of the same workspace).
    pub fn fake(mut self, fake: &FakeSlack) -> Self {
        self.fake = Some(fake.clone());
        self
    }

    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// Leaves a default variable out (`SLACK_BOT_TOKEN` for installs through OAuth).
    pub fn without_env(mut self, key: &str) -> Self {
        self.env.remove(key);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.insert(key.into(), value.into());
        self
    }

    /// Appends TOML to the configuration file.
    pub fn toml(mut self, extra: &str) -> Self {
        self.toml.push('\n');
        self.toml.push_str(extra);
        self
    }

    /// Uses an existing store (to restart an app over the same database).
    pub fn store(mut self, store: SharedTestStore) -> Self {
        self.store = Some(store);
        self
    }

    /// Opens this SQLite database (a file a previous app used) instead of a fresh one.
    pub fn store_url(mut self, url: &str) -> Self {
        self.sqlite_url = Some(url.to_string());
        self
    }

    pub async fn start(self) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let owns_fake = self.fake.is_none();
        let fake = match self.fake {
            Some(fake) => fake,
            None => {
                let fake = FakeSlack::start().await.expect("fake slack starts");
                seed_workspace(&fake);
                fake
            }
        };
        let mut env = self.env;
        env.insert("SLACK_API_URL".into(), fake.api_url());
        let path = dir.path().join("guestlist.toml");
        std::fs::write(&path, &self.toml).expect("config written");
        let lookup = move |k: &str| env.get(k).cloned();
        let config = Config::load(&Sources {
            path,
            explicit: true,
            env: &lookup,
        })
        .expect("test config loads");
        let clock = ManualClock::new(Utc::now());
        let shared_clock: SharedClock = clock.clone();
        let store = match (self.store, &self.sqlite_url) {
            (Some(store), _) => store,
            (None, Some(url)) => {
                Arc::new(SqliteStore::connect(url).await.expect("sqlite opens")) as SharedTestStore
            }
            (None, None) => fresh_store(&self.backend, &dir).await,
        };
        let production: SharedStore = store.clone();
        let app = App::with_store(config.clone(), shared_clock.clone(), production)
            .await
            .expect("app builds");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let shutdown = CancellationToken::new();
        let router = app.router.clone();
        let stop = shutdown.clone();
        let header_timeout = config.header_read_timeout;
        tokio::spawn(async move {
            guestlist::http::server::serve(listener, router, header_timeout, stop)
                .await
                .expect("server runs");
        });
        let slack = SlackSender::new(
            &format!("http://{addr}"),
            SIGNING_SECRET,
            shared_clock,
            &fake.base_url(),
        );
        TestApp {
            addr,
            fake,
            slack,
            store,
            workflow: app.workflow.clone(),
            worker: app.worker.clone(),
            clock,
            config,
            shutdown,
            dir,
            owns_fake,
        }
    }
}

/// The people and channels every test workspace has.
pub fn seed_workspace(fake: &FakeSlack) {
    fake.add_channel(REQUEST_CHANNEL, "guest-requests")
        .add_channel("CPROJECT", "project-x")
        .add_channel("COTHER", "other")
        .add_channel("CGENERAL", "general");
    fake.add_user(FakeUser::new(APPROVER, "Ada Approver").tz("Europe/Berlin"))
        .add_user(FakeUser::new(APPROVER_2, "Alan Approver"))
        .add_user(FakeUser::new(REQUESTER, "Rita Requester").tz("America/New_York"))
        .add_user(FakeUser::new(OUTSIDER, "Oscar Outsider"))
        .add_user(FakeUser::new(LEAD, "Lena Lead"))
        .add_user(FakeUser::new("UADMIN", "Wanda Admin").admin());
}

impl TestApp {
    pub async fn start() -> TestApp {
        Builder::new().start().await
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Runs every job that is due now, to completion.
    pub async fn run_jobs(&self) -> usize {
        self.worker.run_due().await.expect("jobs run")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
        if self.owns_fake {
            self.fake.stop();
        }
    }
}

/// A plain GET (health probes, metrics).
pub async fn get(url: impl AsRef<str>) -> reqwest::Result<reqwest::Response> {
    guestlist::slack::client::http_client(std::time::Duration::from_secs(10))
        .get(url.as_ref())
        .send()
        .await
}

// ---- the front door, as the tests use it ----

pub fn team() -> TeamId {
    TeamId::from(FAKE_TEAM_ID)
}

fn metadata(tz: &str) -> String {
    json!({"tz": tz, "origin": "CGENERAL"}).to_string()
}

/// The action ids of a message's buttons, in order.
pub fn buttons(message: &FakeMessage) -> Vec<String> {
    message
        .blocks
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| {
            b["elements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["action_id"].as_str().unwrap().to_string())
        })
        .collect()
}

pub const ADMIN_TOKEN: &str = "xoxp-org-admin";

pub fn slack_admin() -> Builder {
    Builder::new()
        .env("SLACK_ADMIN_TOKEN", ADMIN_TOKEN)
        .toml("[provisioning]\nmode = \"slack_admin\"\n")
}

impl TestApp {
    /// `user` types `/guest` in #general and submits the form Guestlist opens with `form`'s
    /// values (the view's own callback id and private metadata, as Slack sends them); returns
    /// Guestlist's answer as JSON.
    pub async fn submit(&self, user: &str, form: &FormInput) -> Value {
        let opened = self.slack.command(user, "CGENERAL", "").await.unwrap();
        assert_eq!(opened.status, 200, "{}", opened.body);
        assert_eq!(opened.body, "", "the form opened: {}", opened.body);
        self.submit_opened(user, form.state_values()).await
    }

    /// Submits a valid request and runs the jobs, so its card is posted. Returns the request id.
    pub async fn request_posted(&self, email: &str, channels: &[&str]) -> i64 {
        let answer = self
            .submit(REQUESTER, &FormInput::new(email, channels))
            .await;
        assert_eq!(answer["response_action"], "update", "{answer}");
        self.run_jobs().await;
        let request = self
            .store
            .open_request_for_email(&team(), email)
            .await
            .unwrap()
            .expect("stored");
        request.id.0
    }

    /// The id of the open request for `email`.
    pub async fn request_id(&self, email: &str) -> i64 {
        self.store
            .open_request_for_email(&team(), email)
            .await
            .unwrap()
            .expect("an open request")
            .id
            .0
    }

    /// The texts of the replies in the card's thread.
    pub fn thread_texts(&self) -> Vec<String> {
        let card = self.card();
        self.fake
            .thread(REQUEST_CHANNEL, &card.ts)
            .iter()
            .map(|m| m.all_text())
            .collect()
    }

    /// The one card in the request channel.
    pub fn card(&self) -> FakeMessage {
        let cards = self.fake.top_level_in(REQUEST_CHANNEL);
        assert_eq!(cards.len(), 1, "one card in the request channel");
        cards.into_iter().next().unwrap()
    }

    /// A click on a button of the card, as `user`. The payload carries the card as it stands
    /// (its blocks, and the clicked button's `block_id` when the card still shows it), as
    /// Slack's does; a button no longer shown is a click from a stale client.
    pub async fn click(&self, user: &str, action: &str, id: i64) {
        let card = self.fake.top_level_in(REQUEST_CHANNEL).into_iter().next();
        let card_ts = card.as_ref().map(|m| m.ts.clone()).unwrap_or_default();
        let mut payload = self.slack.button_click(
            user,
            action,
            &id.to_string(),
            Some(REQUEST_CHANNEL),
            &card_ts,
        );
        if let Some(card) = &card {
            payload["message"]["blocks"] = card.blocks.clone();
            let shown = card.blocks.as_array().into_iter().flatten().find(|b| {
                b["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|e| e["action_id"] == action && e["value"] == id.to_string().as_str())
            });
            if let Some(block) = shown {
                payload["actions"][0]["block_id"] = block["block_id"].clone();
            }
        }
        let answer = self.slack.interaction(&payload).await.unwrap();
        assert_eq!(answer.status, 200);
    }

    /// `guestlist <args>` against this app's database and fake Slack, as an operator runs it
    /// (the single-workspace tokens; the config file the builder wrote).
    pub async fn cli(&self, args: &[&str]) -> std::process::Output {
        self.cli_with(
            args,
            &[
                ("SLACK_BOT_TOKEN", "xoxb-test-bot"),
                ("SLACK_ADMIN_TOKEN", "xoxp-admin"),
            ],
        )
        .await
    }

    /// `guestlist <args>` with these variables (and the database and fake Slack) only.
    pub async fn cli_with(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let db = self.dir.path().join("guestlist.db");
        assert!(
            db.exists(),
            "the command line reads this app's SQLite file: start it with .backend(Backend::Sqlite)"
        );
        let config = self.dir.path().join("guestlist.toml");
        // tokio's Command: the fake Slack answers on this test's runtime while the CLI runs.
        tokio::process::Command::new(env!("CARGO_BIN_EXE_guestlist"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .env_clear()
            .env("DATABASE_URL", format!("sqlite://{}", db.display()))
            .env("SLACK_API_URL", self.fake.api_url())
            .envs(env.iter().copied())
            .output()
            .await
            .unwrap()
    }

    /// Chooses `filter` in App Home's account filter menu as `user` (a static_select's choice:
    /// no value, a selected option) and returns the Home view published for it.
    pub async fn home_filter(&self, user: &str, filter: &str) -> String {
        let mut payload = self
            .slack
            .button_click(user, "home_filter", "", None, "1.1");
        payload["actions"][0] = json!({
            "type": "static_select", "action_id": "home_filter", "block_id": "accounts_filter",
            "selected_option": {"text": {"type": "plain_text", "text": filter}, "value": filter},
            "action_ts": "1.2"});
        let answer = self.slack.interaction(&payload).await.unwrap();
        assert_eq!(answer.status, 200, "{}", answer.body);
        self.run_jobs().await;
        self.fake
            .home_view(user)
            .expect("App Home published")
            .to_string()
    }

    /// Submits the modal Guestlist opened last (`views.open`/`views.push`), as Slack would: its
    /// callback id and private metadata, and `values` only for inputs the view has (a field the
    /// form does not show fails the test). Returns Guestlist's answer as JSON.
    pub async fn submit_opened(&self, user: &str, values: Value) -> Value {
        let opened = self
            .fake
            .calls()
            .into_iter()
            .rev()
            .find(|c| c.method == "views.open" || c.method == "views.push")
            .expect("a view was opened");
        let view = opened.arg("view").expect("the opened view").clone();
        let inputs: Vec<(String, String)> = view["blocks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|b| b["type"] == "input")
            .map(|b| {
                (
                    b["block_id"].as_str().unwrap_or_default().to_string(),
                    b["element"]["action_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect();
        for (block, actions) in values.as_object().expect("state values") {
            for action in actions.as_object().expect("a block's values").keys() {
                assert!(
                    inputs.contains(&(block.clone(), action.clone())),
                    "the form has no input {block}/{action}: {inputs:?}"
                );
            }
        }
        let mut payload = self.slack.view_submission(
            user,
            view["callback_id"].as_str().expect("a callback id"),
            view["private_metadata"].as_str().unwrap_or_default(),
            values,
        );
        payload["view"]["blocks"] = view["blocks"].clone();
        payload["view"]["title"] = view["title"].clone();
        let answer = self.slack.interaction(&payload).await.unwrap();
        assert_eq!(answer.status, 200, "{}", answer.body);
        if answer.body.is_empty() {
            Value::Null
        } else {
            answer.json()
        }
    }

    /// Clicks Deny on the card as `user` and submits the form it opens with `reason`.
    pub async fn deny_on_card(&self, user: &str, id: i64, reason: &str) -> Value {
        self.click(user, "deny_request", id).await;
        let values =
            json!({"deny_reason": {"deny_reason": {"type": "plain_text_input", "value": reason}}});
        self.submit_opened(user, values).await
    }

    /// Submits the deny modal for request `id`.
    pub async fn deny_with(&self, user: &str, id: i64, reason: &str) -> Value {
        let values =
            json!({"deny_reason": {"deny_reason": {"type": "plain_text_input", "value": reason}}});
        let payload = self.slack.view_submission(
            user,
            "deny_reason",
            &json!({"request_id": id}).to_string(),
            values,
        );
        let answer = self.slack.interaction(&payload).await.unwrap();
        assert_eq!(answer.status, 200);
        if answer.body.is_empty() {
            Value::Null
        } else {
            answer.json()
        }
    }

    /// The request's state in the store.
    pub async fn state(&self, id: i64) -> RequestState {
        self.store
            .get_request(&team(), RequestId(id))
            .await
            .unwrap()
            .unwrap()
            .state
    }

    /// What the bot answered through response URLs.
    pub fn ephemeral_texts(&self) -> Vec<String> {
        self.fake
            .calls_to("response_url")
            .iter()
            .map(|c| c.arg_str("text").unwrap_or_default().to_string())
            .collect()
    }

    /// A request submitted, approved by APPROVER and with its jobs run. Returns its id.
    pub async fn approved(&self, email: &str, channels: &[&str]) -> i64 {
        let id = self.request_posted(email, channels).await;
        self.click(APPROVER, "approve_request", id).await;
        self.run_jobs().await;
        id
    }

    /// The request as stored.
    pub async fn request(&self, id: i64) -> GuestRequest {
        self.store
            .get_request(&team(), RequestId(id))
            .await
            .unwrap()
            .unwrap()
    }

    /// The one call of `method` the fake Slack received.
    /// The modals opened (`views.open`, `views.push`) with this callback id.
    pub fn views_opened(&self, callback_id: &str) -> Vec<RecordedCall> {
        self.fake
            .calls()
            .into_iter()
            .filter(|c| c.method == "views.open" || c.method == "views.push")
            .filter(|c| c.args["view"]["callback_id"] == callback_id)
            .collect()
    }

    /// The one modal opened with this callback id.
    pub fn only_view(&self, callback_id: &str) -> RecordedCall {
        let opened = self.views_opened(callback_id);
        assert_eq!(opened.len(), 1, "{callback_id} views: {opened:#?}");
        opened.into_iter().next().unwrap()
    }

    pub fn only_call(&self, method: &str) -> RecordedCall {
        let calls = self.fake.calls_to(method);
        assert_eq!(calls.len(), 1, "{method}: {calls:#?}");
        calls.into_iter().next().unwrap()
    }

    /// A guest joins (a `team_join` event), and the jobs run.
    pub async fn team_join(&self, user_id: &str, email: &str) {
        self.fake.add_user(
            FakeUser::new(user_id, "Grace Hopper")
                .email(email)
                .guest(false),
        );
        let user = json!({"id": user_id, "team_id": "T0FAKE", "name": "grace", "deleted": false, "is_restricted": true,
            "profile": {"email": email, "real_name": "Grace Hopper"}});
        let answer = self
            .slack
            .event(
                &format!("EvJoin{user_id}"),
                json!({"type": "team_join", "user": user}),
            )
            .await
            .unwrap();
        assert_eq!(answer.status, 200);
        self.run_jobs().await;
    }

    /// A click on a button in the sponsor's DM.
    pub async fn click_dm(&self, user: &str, action: &str, id: i64) {
        let payload = self
            .slack
            .button_click(user, action, &id.to_string(), Some(user), "1.1");
        assert_eq!(self.slack.interaction(&payload).await.unwrap().status, 200);
        self.run_jobs().await;
    }

    /// Every text posted in `channel`.
    pub fn texts_in(&self, channel: &str) -> Vec<String> {
        self.fake
            .messages_in(channel)
            .into_iter()
            .map(|m| m.all_text())
            .collect()
    }
}

/// Calls the fake Slack's Web API directly, as Guestlist does (a bearer token, a JSON body), for
/// tests of the fake's own rules; its JSON answer.
pub async fn web_api(fake: &FakeSlack, method: &str, token: &str, body: Value) -> Value {
    guestlist::slack::client::http_client(std::time::Duration::from_secs(10))
        .post(format!("{}/{method}", fake.api_url()))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
