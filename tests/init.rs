//! `govsheet init --template ...` as a new user meets it (issue 14): each starter checks with
//! only warnings that name what to fill, invents no record or review, and following what
//! govsheet prints, step by step, ends in a clean check.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const TODAY: &str = "2026-11-25";
const TEMPLATES: [&str; 3] = ["minimal", "shopify", "custom-backend"];

fn govsheet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govsheet"))
        .current_dir(dir)
        .args(["--color", "never", "--today", TODAY])
        .args(args)
        .env_remove("GOVSHEET_TODAY")
        .output()
        .expect("the govsheet binary runs")
}

fn findings(dir: &Path) -> (Option<i32>, Vec<Value>) {
    let o = govsheet(dir, &["check", "--format", "json"]);
    let json: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&o.stderr)));
    (
        o.status.code(),
        json["findings"].as_array().unwrap().clone(),
    )
}

/// A fresh repository holding only the starter of `template`.
fn started(template: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let o = govsheet(dir.path(), &["init", "--template", template]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("run `govsheet check`"),
        "init does not name the next step: {said}"
    );
    dir
}

/// Replace the scalar that starts at (line, column) of the sheet: a quoted one to its closing
/// quote, a plain one in a flow map to the next `,` or `}`.
fn replace_value(sheet: &Path, line: usize, column: usize, new: &str) {
    let text = std::fs::read_to_string(sheet).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let l = &mut lines[line - 1];
    let start = l.char_indices().nth(column - 1).unwrap().0;
    let end = if l[start..].starts_with('"') {
        start + 1 + l[start + 1..].find('"').unwrap() + 1
    } else {
        start + l[start..].find([',', '}']).unwrap_or(l.len() - start)
    };
    l.replace_range(start..end, &format!("\"{new}\""));
    std::fs::write(sheet, format!("{}\n", lines.join("\n"))).unwrap();
}

#[test]
fn every_template_starts_with_warnings_only_and_invents_no_evidence() {
    for template in TEMPLATES {
        let dir = started(template);
        let text = std::fs::read_to_string(dir.path().join("governance.yaml")).unwrap();
        assert!(
            !text.contains("result: pass"),
            "{template} invents a record"
        );
        assert!(!text.contains("last:"), "{template} invents a review");
        assert!(text.contains("router:"), "{template} has no router");
        let (code, found) = findings(dir.path());
        let rules: Vec<&str> = found.iter().map(|f| f["rule"].as_str().unwrap()).collect();
        assert!(rules.contains(&"placeholder"), "{template}: {rules:?}");
        for f in &found {
            assert!(
                matches!(
                    f["rule"].as_str(),
                    Some(
                        "placeholder"
                            | "component-matches-nothing"
                            | "review-overdue"
                            | "retest-stale"
                    )
                ),
                "{template}: a starter should only need filling in, not fixing: {f}"
            );
            assert!(
                f["help"].as_str().is_some_and(|h| !h.is_empty()),
                "{template}: {f}"
            );
        }
        // The dataset, every owner and every TODO are named.
        let placeholders = found.iter().filter(|f| f["rule"] == "placeholder").count();
        assert!(placeholders >= 6, "{template}: {placeholders} placeholders");
        assert!(
            code == Some(0) || code == Some(1),
            "{template}: exit {code:?}"
        );
    }
}

/// Follow what govsheet prints, and only that, from `init` to a clean `check`.
#[test]
fn following_what_govsheet_prints_leads_to_a_clean_check() {
    for template in TEMPLATES {
        let dir = started(template);
        let sheet = dir.path().join("governance.yaml");
        for step in 0..5 {
            let (code, found) = findings(dir.path());
            if found.is_empty() {
                assert_eq!(code, Some(0), "{template}: a clean check exits 0");
                break;
            }
            assert!(
                step < 4,
                "{template}: still not clean after {step} steps: {found:#?}"
            );
            // Bottom-up, so a fix does not move the next one's line.
            let mut found = found;
            found.sort_by_key(|f| std::cmp::Reverse((f["line"].as_u64(), f["column"].as_u64())));
            for f in found {
                let help = f["help"].as_str().unwrap();
                let message = f["message"].as_str().unwrap();
                let (line, column) = (
                    f["line"].as_u64().unwrap() as usize,
                    f["column"].as_u64().unwrap() as usize,
                );
                match f["rule"].as_str().unwrap() {
                    "placeholder" if f["pointer"] == "/sheet/dataset" => {
                        assert!(help.contains("dataset"), "{help}");
                        replace_value(&sheet, line, column, "1234567890123456");
                    }
                    "placeholder" if message.contains("example") => {
                        assert!(help.contains("reach"), "{help}");
                        replace_value(&sheet, line, column, "#tracking on the team chat");
                    }
                    "placeholder" => {
                        // "write X here": write X.
                        let what = help
                            .strip_prefix("write ")
                            .and_then(|h| h.strip_suffix(" here"));
                        let what = what.unwrap_or_else(|| {
                            panic!("{template}: help names nothing to write: {help}")
                        });
                        replace_value(&sheet, line, column, &format!("our own {what}"));
                    }
                    "component-matches-nothing" => {
                        // Each glob the message names gets a file it matches.
                        let globs: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
                        for glob in globs.iter().filter(|g| g.contains('/')) {
                            let file = glob.replace("**", "tracking.js").replace('*', "x");
                            let path = dir.path().join(file);
                            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                            std::fs::write(path, "// tracking code\n").unwrap();
                        }
                    }
                    "review-overdue" => {
                        assert!(help.contains("`last: YYYY-MM-DD`"), "{help}");
                        let text = std::fs::read_to_string(&sheet).unwrap();
                        let text = text.replacen(
                            "  - cadence: weekly\n",
                            &format!("  - cadence: weekly\n    last: {TODAY}\n"),
                            1,
                        );
                        std::fs::write(&sheet, text).unwrap();
                    }
                    "retest-stale" => {
                        // "record the result: govsheet record ID --result pass --by O --evidence
                        // \"...\"; ...": run that command with what was seen.
                        let cmd = help
                            .split("record the result: govsheet ")
                            .nth(1)
                            .and_then(|c| c.split(" --evidence").next())
                            .unwrap_or_else(|| panic!("{template}: no command in {help}"));
                        let mut args: Vec<&str> = cmd.split(' ').collect();
                        args.extend(["--evidence", "three test orders deduplicated"]);
                        let o = govsheet(dir.path(), &args);
                        assert_eq!(
                            o.status.code(),
                            Some(0),
                            "{template}: {args:?}: {}",
                            String::from_utf8_lossy(&o.stderr)
                        );
                    }
                    other => panic!("{template}: no instruction to follow for `{other}`: {f}"),
                }
            }
        }
    }
}
