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

/// `cargo fmt` formats only the files it reaches through `mod` lines, so a file that is only
/// `include!`d (the shared SQL of `store/sql`) would drift unformatted and unseen. Every source
/// file under `src/` must be named by a `mod` line in its parent (an `include!`d one by a
/// `#[cfg(any())] mod name;` that never compiles).
#[test]
fn every_source_file_is_reached_by_rustfmt() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut unreached = Vec::new();
    for file in &files {
        let stem = file.file_stem().unwrap().to_str().unwrap();
        let dir = file.parent().unwrap();
        if dir == src && matches!(stem, "lib" | "main") || stem == "mod" {
            continue;
        }
        // The parent module: `dir/mod.rs`, else `dir.rs`, else the crate roots for `src/`.
        let parents: Vec<PathBuf> = if dir == src {
            vec![src.join("lib.rs"), src.join("main.rs")]
        } else {
            vec![dir.join("mod.rs"), dir.with_extension("rs")]
        };
        let declared = parents.iter().any(|parent| {
            std::fs::read_to_string(parent).is_ok_and(|text| {
                text.lines().any(|line| {
                    let code = line.split("//").next().unwrap_or("").trim();
                    // `pub`, `pub(crate)`, `pub(super)`, `pub(in …)` or nothing before `mod`.
                    let code = match code.strip_prefix("pub") {
                        Some(rest) if rest.starts_with('(') => rest
                            .split_once(')')
                            .map_or(rest, |(_, after)| after)
                            .trim_start(),
                        Some(rest) => rest.trim_start(),
                        None => code,
                    };
                    code.strip_prefix("mod ")
                        .is_some_and(|rest| rest.trim_end_matches(';').trim() == stem)
                })
            })
        });
        if !declared {
            unreached.push(file.strip_prefix(&src).unwrap().display().to_string());
        }
    }
    assert!(
        unreached.is_empty(),
        "files no `mod` line names, so `cargo fmt` never sees them: {unreached:#?}"
    );
}

/// The production binary is built without `fake-slack`: the stand-in must exist only behind
/// that feature. `.ci/run` compiles lib and bin without it (so nothing else can name it
/// unguarded); this checks the gate itself and that only the wiring reaches for the fake.
#[test]
fn the_fake_slack_exists_only_behind_its_feature() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let lines: Vec<&str> = lib.lines().collect();
    for module in ["fake_slack", "demo"] {
        let at = lines
            .iter()
            .position(|l| l.trim().trim_start_matches("pub ") == format!("mod {module};"))
            .unwrap_or_else(|| panic!("lib.rs declares `mod {module};`"));
        assert_eq!(
            lines[at - 1].trim(),
            "#[cfg(feature = \"fake-slack\")]",
            "`{module}` is compiled only with the fake-slack feature"
        );
    }
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for file in &files {
        let module = module_of(&src, file);
        if matches!(
            module.as_deref(),
            Some("fake_slack" | "demo" | "cli") | None
        ) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        assert!(
            !targets(&text).contains("fake_slack"),
            "{} names the fake Slack, which only the wiring (cli, demo) and tests may",
            file.display()
        );
    }
}

/// Every Web API method the code names (outside the fake) is in `slack::scopes::METHODS`, so the
/// manifest test (`every_mode_asks_for_every_scope_its_calls_need`) covers it and the fake checks
/// its scope: a new call cannot slip in without its scope.
#[test]
fn every_web_api_method_the_code_calls_has_its_scope_listed() {
    // Called without a token kind of the manifest's: the OAuth exchange (client id and
    // secret) and Socket Mode's connection (an app-level token).
    const NO_SCOPE_OF_THE_MANIFEST: [&str; 2] = ["oauth.v2.access", "apps.connections.open"];
    const FAMILIES: [&str; 10] = [
        "admin.",
        "apps.",
        "auth.",
        "chat.",
        "conversations.",
        "files.",
        "oauth.",
        "team.",
        "usergroups.",
        "users.",
    ];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let listed: BTreeSet<&str> = guestlist::slack::scopes::METHODS
        .iter()
        .map(|m| m.method)
        .collect();
    let mut missing = BTreeSet::new();
    for file in &files {
        if module_of(&src, file).as_deref() == Some("fake_slack") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for literal in text.split('"').skip(1).step_by(2) {
            let is_method = FAMILIES.iter().any(|f| literal.starts_with(f))
                && literal.len() < 60
                && literal
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.')
                && !literal.ends_with(".com");
            if is_method
                && !listed.contains(literal)
                && !NO_SCOPE_OF_THE_MANIFEST.contains(&literal)
            {
                missing.insert(format!("{literal} ({})", file.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "methods called but not in slack::scopes::METHODS: {missing:#?}"
    );
}

#[test]
fn every_web_api_method_the_code_calls_has_its_arguments_in_slacks_spec() {
    // `files.download` is the file's private URL, not a method; the other pseudo-methods name a
    // case of one (a space before the case).
    let undescribed: Vec<&str> = guestlist::slack::scopes::METHODS
        .iter()
        .map(|m| m.method)
        .filter(|m| !m.contains(' ') && *m != "files.download")
        .filter(|m| !guestlist::fake_slack::is_described(m))
        .collect();
    assert!(
        undescribed.is_empty(),
        "methods the fake cannot check against the vendored OpenAPI spec: {undescribed:?}"
    );
}
