//! The command line's help as a user reads it (issue 14): each subcommand lists only the
//! global flags it uses and ends with an example; the unused flags are still accepted.

use std::process::{Command, Output};

fn govsheet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govsheet"))
        .args(args)
        .env_remove("GOVSHEET_TODAY")
        .output()
        .expect("the govsheet binary runs")
}

fn help(sub: &str) -> String {
    let o = govsheet(&[sub, "--help"]);
    assert_eq!(o.status.code(), Some(0), "{sub} --help");
    String::from_utf8(o.stdout).unwrap()
}

fn subcommands() -> Vec<String> {
    let top = String::from_utf8(govsheet(&["--help"]).stdout).unwrap();
    let list = top
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap();
    // A command's line starts with two spaces; a wrapped description is indented further.
    list.lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| *w != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_subcommand_help_ends_with_an_example() {
    let subs = subcommands();
    assert!(subs.len() >= 10, "{subs:?}");
    for sub in subs {
        let text = help(&sub);
        let example = text.split("Example:\n").nth(1);
        let example = example.unwrap_or_else(|| panic!("`{sub} --help` has no example:\n{text}"));
        assert!(
            example.trim_start().starts_with(&format!("govsheet {sub}")),
            "`{sub}`'s example runs another command: {example}"
        );
    }
}

#[test]
fn global_flags_show_only_where_they_mean_something() {
    let flags = ["--color", "--today", "--fail-on"];
    for sub in ["check", "retests", "verify"] {
        let text = help(sub);
        for flag in flags {
            assert!(text.contains(flag), "`{sub} --help` lacks {flag}");
        }
    }
    for (sub, shown) in [
        ("graph", &[][..]),
        ("schema", &[]),
        ("rules", &[]),
        ("explain", &[]),
        ("record", &["--today"]),
        ("init", &["--today"]),
        ("doc", &["--color", "--today"]),
    ] {
        let text = help(sub);
        for flag in flags {
            assert_eq!(
                text.contains(flag),
                shown.contains(&flag),
                "`{sub} --help` and {flag}:\n{text}"
            );
        }
    }
}

#[test]
fn unused_global_flags_are_still_accepted_before_or_after_the_subcommand() {
    for args in [
        &[
            "schema",
            "--color",
            "never",
            "--fail-on",
            "warning",
            "--today",
            "2026-01-01",
        ][..],
        &["--color", "never", "schema"],
    ] {
        let o = govsheet(args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let o = govsheet(&["schema", "--color", "sometimes"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("never"));
}
