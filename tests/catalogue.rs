//! The message catalogue (`locales/<lang>/*.ftl`) is complete and used as it is written:
//! - every file exists in every language with the same keys (a key in one language and not
//!   the other fails the build);
//! - no key is written twice (Fluent would refuse the bundle);
//! - every message resolves in every language, with its arguments, without falling back;
//! - every key the code asks for (`t!(lang, "key"…)`, the join page's `words.get("key")`)
//!   exists;
//! - `src/workflow/` holds no user-facing English: it says what to say with typed messages,
//!   and the catalogue says it.

use guestlist::i18n::{Arg, Lang, resolves};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Each message of a file: its key and the arguments its text names.
fn messages(path: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with([' ', '\t'])
            && let Some((key, _)) = line.split_once('=')
        {
            let key = key.trim().to_string();
            assert!(
                out.insert(key.clone(), BTreeSet::new()).is_none(),
                "{} writes {key} twice",
                path.display()
            );
            current = Some(key);
        }
        if let Some(key) = &current {
            let args = out.get_mut(key).unwrap();
            let mut rest = line;
            while let Some(at) = rest.find('$') {
                let name: String = rest[at + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                args.insert(name);
                rest = &rest[at + 1..];
            }
        }
    }
    out
}

fn ftl_files(lang: &str) -> BTreeMap<String, PathBuf> {
    std::fs::read_dir(root().join("locales").join(lang))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect()
}

/// Every key of a language, with its arguments; a key in two files fails.
fn catalogue(lang: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut all = BTreeMap::new();
    for (name, path) in ftl_files(lang) {
        for (key, args) in messages(&path) {
            assert!(
                all.insert(key.clone(), args).is_none(),
                "{key} is written in {name} and in another file of {lang}"
            );
        }
    }
    all
}

#[test]
fn every_key_exists_in_both_languages_and_resolves() {
    let en_files = ftl_files("en");
    let fr_files = ftl_files("fr");
    assert_eq!(
        en_files.keys().collect::<Vec<_>>(),
        fr_files.keys().collect::<Vec<_>>(),
        "the same files in en and fr"
    );
    for (name, en_path) in &en_files {
        let en: BTreeSet<String> = messages(en_path).into_keys().collect();
        let fr: BTreeSet<String> = messages(&fr_files[name]).into_keys().collect();
        let only_en: Vec<_> = en.difference(&fr).collect();
        let only_fr: Vec<_> = fr.difference(&en).collect();
        assert!(
            only_en.is_empty() && only_fr.is_empty(),
            "{name}: missing in fr: {only_en:?}; missing in en: {only_fr:?}"
        );
    }
    let en = catalogue("en");
    let fr = catalogue("fr");
    assert!(en.len() > 300, "the catalogue was read ({} keys)", en.len());
    for (lang, keys) in [(Lang::En, &en), (Lang::Fr, &fr)] {
        for (key, names) in keys {
            // Strings for every argument (a plural with a string falls to its default).
            let args: Vec<(&'static str, Arg)> = names
                .iter()
                .map(|n| (&*Box::leak(n.clone().into_boxed_str()), Arg::from("x")))
                .collect();
            assert!(
                resolves(lang, key, &args),
                "{key} does not resolve in {lang} with {names:?}"
            );
        }
    }
    for (key, names) in &en {
        assert_eq!(
            names, &fr[key],
            "{key} names other arguments in fr than in en"
        );
    }
}

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

/// The string literal right after `marker`, each time `marker` is followed by one.
fn literals_after<'a>(text: &'a str, marker: &str) -> Vec<&'a str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        let tail = rest[at + marker.len()..].trim_start();
        if let Some(tail) = tail.strip_prefix('"')
            && let Some(end) = tail.find('"')
        {
            found.push(&tail[..end]);
        }
        rest = &rest[at + marker.len()..];
    }
    found
}

#[test]
fn every_key_the_code_asks_for_exists() {
    let en = catalogue("en");
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut missing = Vec::new();
    let mut used = 0;
    for file in files {
        if file.ends_with("i18n.rs") {
            continue; // the macro itself
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let mut keys = Vec::new();
        // `t!(lang, "key"` (a language expression, then the key).
        let mut rest = text.as_str();
        while let Some(at) = rest.find("t!(") {
            let tail = &rest[at + 3..];
            // `t!(`, not `assert!(` or `format!(`.
            let whole = rest[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric() && c != '_');
            if whole
                && let Some(comma) = tail.find(',')
                && !tail[..comma].contains(['(', ')', '"'])
                && let Some(key) = tail[comma + 1..].trim_start().strip_prefix('"')
                && let Some(end) = key.find('"')
            {
                keys.push(&key[..end]);
            }
            rest = tail;
        }
        keys.extend(literals_after(&text, "words.get("));
        keys.extend(literals_after(&text, "words.with("));
        for key in keys {
            used += 1;
            if !en.contains_key(key) {
                missing.push(format!("{}: {key}", file.display()));
            }
        }
    }
    assert!(used > 300, "the code was read ({used} keys)");
    assert!(
        missing.is_empty(),
        "keys not in the catalogue: {missing:#?}"
    );
}

/// `src/workflow/` decides what to say with typed messages (`slack::say`); words come from the
/// catalogue. A string literal there that reads like a sentence (three words or more) is
/// flagged, except where the code is for operators, not people in Slack: logs, internal
/// errors, metric labels, audit details (a line ending in `// audit` where the statement does
/// not say so), test code. The same check from a shell:
///
/// ```sh
/// cargo test --test catalogue workflow_speaks_only_through_the_catalogue
/// ```
#[test]
fn workflow_speaks_only_through_the_catalogue() {
    // What an internal string is handed to, on its line or the statement it continues.
    const INTERNAL: &[&str] = &[
        "tracing::",
        "info!(",
        "warn!(",
        "error!(",
        "debug!(",
        "trace!(",
        "info_span!(",
        "anyhow!(",
        "bail!(",
        "context(",
        "with_context(",
        "JobError::",
        "expect(",
        "panic!(",
        "unreachable!(",
        "metrics::",
        "detail",
        "audit",
        "log_internal(",
        "StoreError::",
        "reason:",
    ];
    let mut files = Vec::new();
    rust_files(&root().join("src/workflow"), &mut files);
    let mut flagged = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Test modules are for developers.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let lines: Vec<&str> = code.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            // Operators' words, marked where the statement does not show it: `// audit`.
            if trimmed.starts_with("//") || line.trim_end().ends_with("// audit") {
                continue;
            }
            for literal in literals_in(line) {
                // Words as people read them: identifiers and paths (`a_b`, `a::b`) are not prose.
                let words = literal
                    .split_whitespace()
                    .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
                    .count();
                if words < 3 {
                    continue;
                }
                // The statement this literal belongs to: this line and the ones before it,
                // back to where the statement starts.
                let start = (0..=n)
                    .rev()
                    .find(|&i| {
                        i == 0 || {
                            let prev = lines[i - 1].trim_end();
                            prev.ends_with(';') || prev.ends_with('{') || prev.ends_with('}')
                        }
                    })
                    .unwrap_or(n);
                let statement = lines[start..=n].join("\n");
                if INTERNAL.iter().any(|sink| statement.contains(sink)) {
                    continue;
                }
                flagged.push(format!("{}:{}: {literal:?}", file.display(), n + 1));
            }
        }
    }
    assert!(
        flagged.is_empty(),
        "user-facing words in src/workflow (say them with a slack::say message): {flagged:#?}"
    );
}

/// The contents of the string literals on one line (escapes are not decoded).
fn literals_in(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '/' && chars.peek() == Some(&'/') {
            break;
        }
        if c == '\'' {
            // A char literal ('"' included), or a lifetime.
            let mut look = chars.clone();
            if let (Some(_), Some('\'')) = (look.next(), look.next()) {
                chars.next();
                chars.next();
            }
            continue;
        }
        if c == '"' {
            let mut lit = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        lit.push(c);
                        if let Some(n) = chars.next() {
                            lit.push(n);
                        }
                    }
                    '"' => break,
                    _ => lit.push(c),
                }
            }
            out.push(lit);
        }
    }
    out
}
