//! The changed-file parsers and component globs. The input is split at the first `\x03`:
//! before it, component `paths` patterns one per line; after it, raw `git diff --name-status -z`
//! and `git diff --raw -z` / `git log --raw -z` output. The patterns go through the real loader into
//! `globs::Matcher`; the parsed paths are matched against it. Nothing may panic, every
//! component index must be in range, the matcher must agree with the all-globset
//! `Matcher::new_reference`, and a path a glob matches must lie in folders
//! `Matcher::include_folders` keeps (the walk of `component-matches-nothing` enters no others).
#![no_main]

use govsheet::cli::git;
use govsheet::{globs, sheet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (head, tail) = match data.iter().position(|&b| b == 3) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"M\0theme/a.liquid\0R100\0old name\0new name\0"[..]),
    };
    let changed = git::parse_name_status(tail);
    for p in &changed {
        assert!(!p.is_empty());
    }
    if let Ok(changes) = git::parse_raw(tail) {
        for c in &changes {
            assert!(!c.path.is_empty());
        }
    }
    let _ = git::parse_log_raw(tail);
    let patterns = String::from_utf8_lossy(head);
    for p in patterns.lines() {
        let _ = globs::compile_glob(p);
    }
    let mut yaml = String::from("version: 1\ncomponents:\n  a:\n    paths:\n");
    for p in patterns.lines().take(64) {
        let quoted = serde_json::to_string(p).unwrap_or_default();
        yaml.push_str(&format!("      - {quoted}\n"));
    }
    // The fuzzed globs alone (`b` below matches under every folder).
    folders_hold_matches(&yaml, &changed);
    yaml.push_str("  b:\n    paths: [\"**/*.liquid\", \"!theme/**\"]\n");
    let loaded = sheet::load("governance.yaml", yaml.into_bytes());
    let Some(sheet) = loaded.sheet else { return };
    let (matcher, errors) = globs::Matcher::new(&sheet.components);
    for e in &errors {
        assert!(e.component < sheet.components.len());
    }
    // The fast path must give globset's answers: the same components and include globs.
    let (reference, reference_errors) = globs::Matcher::new_reference(&sheet.components);
    assert_eq!(errors, reference_errors);
    for path in &changed {
        let components = matcher.components_for(path);
        for &c in &components {
            assert!(c < sheet.components.len());
        }
        assert_eq!(components, reference.components_for(path), "{path:?}");
        let (mut a, mut b) = (Vec::new(), Vec::new());
        matcher.include_globs_for(path, &mut a);
        reference.include_globs_for(path, &mut b);
        assert_eq!(a, b, "{path:?}");
    }
});

/// Every path an include glob of the sheet matches lies in folders `include_folders` keeps.
fn folders_hold_matches(yaml: &str, paths: &[String]) {
    let loaded = sheet::load("governance.yaml", yaml.as_bytes().to_vec());
    let Some(sheet) = loaded.sheet else { return };
    let (matcher, _) = globs::Matcher::new(&sheet.components);
    let folders = matcher.include_folders();
    let mut hits = Vec::new();
    for path in paths {
        hits.clear();
        matcher.include_globs_for(path, &mut hits);
        if hits.is_empty() {
            continue;
        }
        let path = path.strip_prefix("./").unwrap_or(path);
        for (i, _) in path.match_indices('/') {
            assert!(folders.may_hold_matches(&path[..i]), "{path:?} in {:?}", &path[..i]);
        }
    }
}
