//! A running Guestlist with its fake Slack, for one test.

#![allow(dead_code)]

use chrono::{DateTime, Utc};
use guestlist::app::App;
use guestlist::clock::{Clock, ManualClock, SharedClock};
use guestlist::config::{Config, Sources};
use guestlist::fake_slack::{FakeSlack, FakeUser, SlackSender};
use guestlist::jobs::Worker;
use guestlist::store::{Inspect, PgStore, SharedStore, SqliteStore, Store};
use guestlist::workflow::Workflow;
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

    /// Every backend this run can reach: SQLite always, Postgres when configured.
    pub fn all() -> Vec<Backend> {
        let mut all = vec![Backend::Sqlite];
        if let Backend::Postgres(url) = Backend::from_env() {
            all.push(Backend::Postgres(url));
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
