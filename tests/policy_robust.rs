//! The policy engine never panics, whatever the sheet: damaged variants of the rule fixtures
//! (lines dropped, values swapped for other YAML types) go through check and finalize.

use chrono::NaiveDate;
use govsheet::policy::{self, Input};
use proptest::prelude::*;

fn fixture_texts() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for rule in [
        "unknown-reference",
        "dependency-cycle",
        "waiver-expired",
        "incident-open",
    ] {
        out.push(std::fs::read_to_string(dir.join(rule).join("fail.yaml")).unwrap());
    }
    out
}

const REPLACEMENTS: [&str; 8] = ["", "~", "[]", "{}", "[a, [b]]", "12", "true", "\"x/y~z\""];

fn damage(text: &str, drop: &[usize], swap: &[(usize, usize)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for &(i, r) in swap {
        if lines.is_empty() {
            break;
        }
        let i = i % lines.len();
        if let Some(colon) = lines[i].find(": ") {
            let head = lines[i][..colon + 2].to_string();
            lines[i] = format!("{head}{}", REPLACEMENTS[r % REPLACEMENTS.len()]);
        }
    }
    for &d in drop {
        if !lines.is_empty() {
            let i = d % lines.len();
            lines.remove(i);
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn check_and_finalize_never_panic(
        which in 0usize..4,
        drop in proptest::collection::vec(any::<usize>(), 0..6),
        swap in proptest::collection::vec((any::<usize>(), any::<usize>()), 0..8),
        files in proptest::collection::vec("[a-z]{1,3}(/[a-z]{1,3}){0,2}\\.(yaml|js)", 0..5),
    ) {
        let texts = fixture_texts();
        let text = damage(&texts[which], &drop, &swap);
        let loaded = govsheet::sheet::load("g.yaml", text.into_bytes());
        if let Some(sheet) = loaded.sheet {
            let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
            let input = Input::new(today, Some(&files));
            let policy = policy::core();
            let mut findings = loaded.findings;
            findings.extend(policy.check(&sheet, &input));
            let out = policy.finalize(&sheet, findings, today, &|id| policy.runs_in_check(id));
            for f in &out {
                prop_assert!(!f.message.is_empty());
                prop_assert!(!f.message.ends_with('.'), "{}", f.message);
            }
        }
    }
}
