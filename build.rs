//! Generates the typed rule ids (`RuleId`, see `src/finding.rs`) from the embedded rule packs
//! (`policies/*.yaml`), so that the code can only make findings of rules the registry declares,
//! at the severity the registry gives them. It reads only each rule's `- id:`, `severity:` and
//! `builtin:` lines; a unit test (`finding::ids`) checks the result against the real pack parser.

use std::fmt::Write as _;
use std::path::Path;

/// The packs compiled into the binary (`policy::EMBEDDED`).
const PACKS: [&str; 2] = ["policies/core.yaml", "policies/verify.yaml"];

struct Rule {
    id: String,
    severity: String,
    builtin: Option<String>,
}

fn rules_of(file: &str) -> Vec<Rule> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut rules: Vec<Rule> = Vec::new();
    // Only the top-level `rules:` list (a pack may go on with other sections, e.g. `tests:`).
    let mut in_rules = false;
    for (n, line) in text.lines().enumerate() {
        let top_level = line.bytes().next().is_some_and(|b| b != b' ' && b != b'#');
        if top_level {
            in_rules = line.trim_end() == "rules:";
            continue;
        }
        if !in_rules {
            continue;
        }
        if let Some(id) = line.strip_prefix("  - id: ") {
            rules.push(Rule {
                id: id.trim().to_owned(),
                severity: String::new(),
                builtin: None,
            });
        } else if let Some(rule) = rules.last_mut() {
            if let Some(s) = line.strip_prefix("    severity: ") {
                rule.severity = s.trim().to_owned();
            } else if let Some(b) = line.strip_prefix("    builtin: ") {
                rule.builtin = Some(b.trim().to_owned());
            } else if line.starts_with("  - ") || line.starts_with("- ") {
                panic!("{file}:{}: a rule must start with `  - id: ID`", n + 1);
            }
        }
    }
    rules
}

fn variant(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| format!("{}{}", f.to_ascii_uppercase(), c.as_str()))
                .unwrap_or_default()
        })
        .collect()
}

/// FNV-1a, 64 bits: enough to tell that a file changed since a prebuilt file was written.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A file of Rust that a test writes from other files (with `GOVSHEET_BLESS=1`) so that
/// start-up does not redo the work, and how `build.rs` checks it is fresh.
struct Prebuilt {
    /// The file the test writes.
    file: &'static str,
    /// What it is written from: the files (every file of a folder ending in `/`) whose change
    /// makes it stale. `Cargo.lock` stands for the crates that do the work (the YAML parser,
    /// regex-automata's DFAs).
    inputs: &'static [&'static str],
    /// The variable that hands the inputs' hash to the test, which records it in the file.
    env: &'static str,
    /// Set when the file is stale: the crate then does the work at start-up instead.
    cfg: &'static str,
    /// What is done at start-up instead, for the warning.
    instead: &'static str,
}

/// The files an input names, in a stable order.
fn input_files(input: &str) -> Vec<std::path::PathBuf> {
    if !input.ends_with('/') {
        return vec![input.into()];
    }
    let Ok(entries) = std::fs::read_dir(input) else {
        return Vec::new();
    };
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Hands the hash of a prebuilt file's inputs to the crate (the test that writes the file
/// records it there), and builds the crate with the file's `cfg` when the file was written from
/// other inputs, or its body is not what was written (an edit by hand), or it is missing: the
/// crate then does the work at start-up as before, so a stale file costs time, never an old
/// result (and the test fails until it is rewritten).
fn prebuilt(p: &Prebuilt) {
    println!("cargo::rerun-if-changed={}", p.file);
    println!("cargo::rustc-check-cfg=cfg({})", p.cfg);
    let mut inputs = Vec::new();
    for input in p.inputs {
        println!("cargo::rerun-if-changed={input}");
        for file in input_files(input) {
            // A missing input (a packaged copy without `Cargo.lock`) hashes as empty: the
            // file is then stale, and the work is done at start-up.
            inputs.extend(file.to_string_lossy().as_bytes());
            inputs.extend(std::fs::read(&file).unwrap_or_default());
        }
    }
    let hash = format!("{:016x}", fnv1a64(&inputs));
    println!("cargo::rustc-env={}={hash}", p.env);
    let prebuilt = std::fs::read_to_string(p.file).unwrap_or_default();
    let header = |key: &str| {
        prebuilt
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or("")
            .to_owned()
    };
    let body = prebuilt.split_once("\n\n").map_or("", |(_, b)| b);
    let fresh = header("// inputs fnv1a64: ") == hash
        && header("// body fnv1a64: ") == format!("{:016x}", fnv1a64(body.as_bytes()));
    if !fresh {
        println!("cargo::rustc-cfg={}", p.cfg);
        println!(
            "cargo::warning={} was not written from this {}: {} at start-up instead; run \
             `GOVSHEET_BLESS=1 cargo test --lib prebuilt` and commit it",
            p.file,
            p.inputs.join(", "),
            p.instead,
        );
    }
}

/// The checker compiled from the embedded schema, as Rust (`Checker::prebuilt`).
const SCHEMA: Prebuilt = Prebuilt {
    file: "src/sheet/schema/prebuilt.rs",
    inputs: &[
        "schema/governance.schema.json",
        "src/sheet/schema/check.rs",
        "Cargo.lock",
    ],
    env: "GOVSHEET_PREBUILT_INPUTS_FNV1A64",
    cfg: "govsheet_stale_prebuilt",
    instead: "the schema is compiled",
};

/// The embedded packs as parsed, as Rust (`policy::embedded`): written from the packs (the
/// list in `src/policy/mod.rs`) and from the code that parses them into the types it builds.
const PACKS_PREBUILT: Prebuilt = Prebuilt {
    file: "src/policy/prebuilt.rs",
    inputs: &[
        "policies/",
        "src/policy/mod.rs",
        "src/policy/pack.rs",
        "src/policy/rule.rs",
        "src/policy/info.rs",
        "src/policy/select.rs",
        "src/policy/template.rs",
        "src/policy/builtin.rs",
        "src/sheet/yaml/",
        "src/sheet/model/mod.rs",
        "src/source.rs",
        "src/finding.rs",
        "Cargo.lock",
    ],
    env: "GOVSHEET_PACKS_INPUTS_FNV1A64",
    cfg: "govsheet_stale_packs",
    instead: "the packs are parsed",
};

fn main() {
    prebuilt(&SCHEMA);
    prebuilt(&PACKS_PREBUILT);
    let mut rules: Vec<Rule> = Vec::new();
    for file in PACKS {
        println!("cargo::rerun-if-changed={file}");
        for r in rules_of(file) {
            let kebab = !r.id.is_empty()
                && r.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            assert!(kebab, "{file}: rule id `{}` is not kebab-case", r.id);
            assert!(
                !rules.iter().any(|o| o.id == r.id),
                "{file}: rule `{}` is declared twice",
                r.id
            );
            let severity = match r.severity.as_str() {
                "error" => "Error",
                "warning" => "Warning",
                "info" => "Info",
                other => panic!("{file}: rule `{}` has severity `{other}`", r.id),
            };
            rules.push(Rule {
                severity: severity.to_owned(),
                ..r
            });
        }
    }
    let mut out = String::new();
    out.push_str("/// Every rule id of the embedded packs (generated by `build.rs` from `policies/*.yaml`).\n");
    out.push_str(
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum RuleId {\n",
    );
    for r in &rules {
        let _ = writeln!(out, "    /// `{}`", r.id);
        let _ = writeln!(out, "    {},", variant(&r.id));
    }
    out.push_str("}\n\nimpl RuleId {\n");
    let _ = writeln!(
        out,
        "    /// Every rule id, in pack order.\n    pub const ALL: [RuleId; {}] = [",
        rules.len()
    );
    for r in &rules {
        let _ = writeln!(out, "        RuleId::{},", variant(&r.id));
    }
    out.push_str("    ];\n\n    /// The id as packs, `policy.rules` and waivers write it.\n    pub const fn as_str(self) -> &'static str {\n        match self {\n");
    for r in &rules {
        let _ = writeln!(out, "            RuleId::{} => {:?},", variant(&r.id), r.id);
    }
    out.push_str("        }\n    }\n\n    /// The default severity the pack gives the rule (`severity:`).\n    pub const fn severity(self) -> Severity {\n        match self {\n");
    for r in &rules {
        let _ = writeln!(
            out,
            "            RuleId::{} => Severity::{},",
            variant(&r.id),
            r.severity
        );
    }
    out.push_str("        }\n    }\n\n    /// Whether the loader makes the rule's findings (`builtin: sheet-loader`): a file that\n    /// cannot be read is never configured or waived away.\n    pub const fn fixed(self) -> bool {\n        matches!(self, ");
    let fixed: Vec<String> = rules
        .iter()
        .filter(|r| r.builtin.as_deref() == Some("sheet-loader"))
        .map(|r| format!("RuleId::{}", variant(&r.id)))
        .collect();
    assert!(!fixed.is_empty(), "no rule has `builtin: sheet-loader`");
    out.push_str(&fixed.join(" | "));
    out.push_str(")\n    }\n}\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("rule_id.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}
