//! The layers of ARCHITECTURE.md, checked: every `crate::…` a module names is one it may use.
//! Data flows down (`http`/`socket`/`jobs` → `workflow` → `provision` → `slack`/`store` →
//! `domain`); `store` and `slack` never use each other, `http` never touches `store`, nothing
//! uses `config`, `app` or `cli` but the wiring itself.
//!
//! `cargo test --test layers -- --nocapture` prints each module's targets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module → the modules of ours it may name.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("clock", &[]),
    ("telemetry", &[]),
    // Words: the Fluent catalogue and the languages; knows nothing of ours.
    ("i18n", &[]),
    ("store", &["domain"]),
    ("slack", &["domain", "i18n"]),
    ("provision", &["domain", "slack"]),
    (
        "workflow",
        &["domain", "clock", "i18n", "provision", "slack", "store"],
    ),
    ("jobs", &["workflow", "store", "clock", "domain"]),
    (
        "http",
        &["workflow", "slack", "clock", "telemetry", "domain", "i18n"],
    ),
    ("socket", &["workflow", "slack"]),
    // Test support: a Web API stand-in that signs requests the way `http` checks them.
    ("fake_slack", &["clock", "http", "slack"]),
    (
        "config",
        &[
            "domain",
            "http",
            "i18n",
            "jobs",
            "provision",
            "slack",
            "socket",
            "store",
            "telemetry",
            "workflow",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`src/workflow/sync.rs` → `workflow`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// Every `crate::name` in a file's code (comments left out).
fn targets(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let tail = &rest[at + "crate::".len()..];
            let name: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
            rest = tail;
        }
    }
    found
}

#[test]
fn modules_only_use_the_layers_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        let entry = uses.entry(module.clone()).or_default();
        entry.extend(targets(&text).into_iter().filter(|t| *t != module));
    }
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    for (module, targets) in &uses {
        println!(
            "{module:<10} -> {}",
            targets.iter().cloned().collect::<Vec<_>>().join(" ")
        );
        // The wiring (app, cli, demo) may use anything.
        let Some(may) = allowed.get(module.as_str()) else {
            continue;
        };
        for target in targets {
            if !may.contains(&target.as_str()) {
                wrong.push(format!("{module} uses {target}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layers: {wrong:#?}");
    for (module, _) in ALLOWED {
        assert!(
            uses.contains_key(*module),
            "{module} is in the table but not in src/"
        );
    }
}
