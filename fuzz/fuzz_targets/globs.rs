//! Component globs: arbitrary patterns compiled and matched against arbitrary paths. The input
//! is split at the first NUL: patterns one per line before it, changed paths one per line after.
//! Nothing may panic and every component index returned must be in range.
#![no_main]

use govsheet::{globs, sheet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (patterns, paths) = text.split_once('\0').unwrap_or((text, "a/b.js"));
    for p in patterns.lines() {
        let _ = globs::compile_glob(p);
    }
    // The patterns as two components of a sheet, through the real loader.
    let mut yaml = String::from("version: 1\ncomponents:\n  a:\n    paths:\n");
    for p in patterns.lines().take(64) {
        yaml.push_str(&format!("      - {}\n", serde_json::to_string(p).unwrap_or_default()));
    }
    yaml.push_str("  b:\n    paths: [\"**/*.liquid\", \"!theme/**\"]\n");
    let loaded = sheet::load("governance.yaml", yaml.into_bytes());
    let Some(sheet) = loaded.sheet else { return };
    let (matcher, errors) = globs::Matcher::new(&sheet.components);
    for e in &errors {
        assert!(e.component < sheet.components.len());
    }
    for path in paths.lines() {
        for c in matcher.components_for(path) {
            assert!(c < matcher.component_count());
        }
    }
});
