#![allow(dead_code)] // shared with tests/metrics.rs, which needs only part of it

//! The services some suites need, found or started: PostgreSQL and a SCIM 2.0 server. A suite
//! whose service cannot be had says so in a `SKIPPED: <suite> (<why>)` line that the test
//! harness does not swallow (`.ci/run` fails on it); it never passes in silence.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Writes straight to stderr: the harness captures `println!`/`eprintln!` of passing tests, not
/// writes to the handle.
pub fn skipped(suite: &str, why: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {suite} ({why})");
}

/// This machine's PostgreSQL, as `.ci/run` and the development machines have it.
const LOCAL_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A Postgres URL: `GUESTLIST_TEST_POSTGRES_URL`, else the local server when it answers.
pub fn postgres() -> Result<String, String> {
    static FOUND: OnceLock<Result<String, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            if let Some(url) = std::env::var("GUESTLIST_TEST_POSTGRES_URL")
                .ok()
                .filter(|u| !u.is_empty())
            {
                return Ok(url);
            }
            let addr: SocketAddr = "127.0.0.1:5432".parse().expect("address");
            match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
                Ok(_) => Ok(LOCAL_POSTGRES.to_string()),
                Err(e) => Err(format!(
                    "no PostgreSQL on 127.0.0.1:5432 ({e}) and GUESTLIST_TEST_POSTGRES_URL is not set"
                )),
            }
        })
        .clone()
}

/// A SCIM server's base URL and token: `GUESTLIST_TEST_SCIM_URL` (and `_TOKEN`), else a
/// `scim2-server` this test process starts, from `.ci/run`'s virtualenv or the `PATH`.
pub fn scim() -> Result<(String, String), String> {
    static FOUND: OnceLock<Result<(String, String), String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            if let Some(url) = std::env::var("GUESTLIST_TEST_SCIM_URL")
                .ok()
                .filter(|u| !u.is_empty())
            {
                let token = std::env::var("GUESTLIST_TEST_SCIM_TOKEN").unwrap_or_default();
                return Ok((url, token));
            }
            start_scim2_server()
        })
        .clone()
}

fn scim2_server_binary() -> Option<std::path::PathBuf> {
    let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| "/tmp".into());
    let venv = std::path::Path::new(&tmp).join("guestlist-ci-scim-venv/bin/scim2-server");
    if venv.exists() {
        return Some(venv);
    }
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| std::path::Path::new(dir).join("scim2-server"))
        .find(|p| p.exists())
}

fn start_scim2_server() -> Result<(String, String), String> {
    use std::os::unix::process::CommandExt;
    let binary = scim2_server_binary().ok_or(
        "GUESTLIST_TEST_SCIM_URL is not set and no scim2-server was found (.ci/run installs it: pip install 'scim2-server==0.8.*')",
    )?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let token = format!("test-scim-{}", crate::helpers::rand_u64());
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/scim");
    let mut command = std::process::Command::new(&binary);
    command
        .arg("--port")
        .arg(port.to_string())
        .arg("--bearer-token")
        .arg(&token)
        .arg("--schema")
        .arg(format!("{fixtures}/schemas.json"))
        .arg("--resource-type")
        .arg(format!("{fixtures}/resource-types.json"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // The server ends with this test process, however it ends: the kernel kills it when the
    // thread that started it exits, so it is started from a thread that lives as long as the
    // process (each test runs on a thread of its own, which would end with the test).
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let (spawned, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let child = command.spawn();
        let failed = child.is_err();
        let _ = spawned.send(child.map(|_| ()));
        if !failed {
            loop {
                std::thread::park();
            }
        }
    });
    result
        .recv()
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("starting {}: {e}", binary.display()))?;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if answers(port, &token) {
            return Ok((format!("http://127.0.0.1:{port}"), token));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!("{} did not answer within 30 s", binary.display()))
}

/// Whether the SCIM server answers `GET /ServiceProviderConfig` with 200.
fn answers(port: u16, token: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let request = format!(
        "GET /ServiceProviderConfig HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    let mut head = [0u8; 12];
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_exact(&mut head).is_ok()
        && head.ends_with(b"200")
}
