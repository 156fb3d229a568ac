//! The fuzz targets' properties on stable, on every `cargo test`: each target's seeds
//! (`fuzz/seeds/<target>`) and saved corpus (`fuzz/corpus/<target>`, what `fuzz/run.sh` keeps)
//! replayed through the same `check` the fuzzer calls. This keeps the properties compiling and
//! every input that ever mattered passing; the long coverage-guided runs are `fuzz/run.sh`
//! (figures in BENCHMARKS.md).

#[path = "../fuzz/checks/csv_import.rs"]
mod csv_import;
#[path = "../fuzz/checks/expiry.rs"]
mod expiry;
#[path = "../fuzz/checks/ingress.rs"]
mod ingress;
#[path = "../fuzz/checks/mrkdwn.rs"]
mod mrkdwn;

use std::path::{Path, PathBuf};

/// Every input kept for `target`: its seeds, then its saved corpus (if any).
fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for kind in ["seeds", "corpus"] {
        let Ok(entries) = std::fs::read_dir(root.join(kind).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a readable corpus entry").path();
            if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Runs `check` on every kept input of `target`, naming the input that fails.
fn replay(target: &str, check: fn(&[u8])) {
    let files = inputs(target);
    assert!(
        !files.is_empty(),
        "fuzz/seeds/{target} holds no seed: a target without seeds is not replayed"
    );
    for path in &files {
        let data = std::fs::read(path).expect("a readable input");
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(
            outcome.is_ok(),
            "fuzz target {target} fails on {} (reproduce: cd fuzz && cargo +nightly fuzz run {target} {})",
            path.display(),
            path.display()
        );
    }
}

#[test]
fn ingress_inputs_hold() {
    replay("ingress", ingress::check);
}

#[test]
fn csv_import_inputs_hold() {
    replay("csv_import", csv_import::check);
}

#[test]
fn expiry_inputs_hold() {
    replay("expiry", expiry::check);
}

#[test]
fn mrkdwn_inputs_hold() {
    replay("mrkdwn", mrkdwn::check);
}
