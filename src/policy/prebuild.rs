//! Writes the embedded packs, as parsed, as Rust (`prebuilt.rs`, see `policy::embedded`), and
//! the test that keeps that file the parse of `policies/*.yaml`. Tests only: the binary reads
//! what this wrote.

use std::fmt::Write as _;
use std::sync::Arc;

use serde_json::Value as Json;

use super::builtin::Builtin;
use super::info::RuleInfo;
use super::pack::{self, CaseSheet, Expected, Pack, SheetTest};
use super::rule::{Assertion, Check, Field, Fragment, Kind, Rule, Section, SelectCheck};
use super::select::{Segment, Selector};
use super::template::{Part, Template};
use crate::finding::Severity;

/// A value as the Rust expression that builds it. Every struct is taken apart field by field
/// by name, so a field added later must be written here too (or this does not compile).
trait Rust {
    fn rust(&self) -> String;
}

/// A string literal (`Debug` writes valid Rust escapes).
fn lit(s: &str) -> String {
    format!("{s:?}")
}

impl Rust for String {
    fn rust(&self) -> String {
        format!("{}.into()", lit(self))
    }
}

impl Rust for usize {
    fn rust(&self) -> String {
        self.to_string()
    }
}

impl<T: Rust> Rust for Option<T> {
    fn rust(&self) -> String {
        self.as_ref()
            .map_or_else(|| "None".to_owned(), |v| format!("Some({})", v.rust()))
    }
}

impl<T: Rust> Rust for Vec<T> {
    fn rust(&self) -> String {
        let items: Vec<String> = self.iter().map(Rust::rust).collect();
        format!("vec![{}]", items.join(", "))
    }
}

impl Rust for chrono::NaiveDate {
    fn rust(&self) -> String {
        use chrono::Datelike as _;
        format!(
            "chrono::NaiveDate::from_ymd_opt({}, {}, {}).expect(\"a date of the calendar\")",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl Rust for Severity {
    fn rust(&self) -> String {
        format!("crate::finding::Severity::{self:?}")
    }
}

impl Rust for Builtin {
    fn rust(&self) -> String {
        format!("super::builtin::Builtin::{self:?}")
    }
}

impl Rust for Section {
    fn rust(&self) -> String {
        format!("super::rule::Section::{self:?}")
    }
}

impl Rust for Json {
    fn rust(&self) -> String {
        let text = serde_json::to_string(self).expect("a JSON value serializes");
        let hashes = "#".repeat(longest_hash_run(&text) + 1);
        format!(
            "serde_json::from_str::<serde_json::Value>(r{hashes}\"{text}\"{hashes}).expect(\"JSON written by serde_json\")"
        )
    }
}

/// The longest run of `#` in a text: a raw string around it needs one more.
fn longest_hash_run(text: &str) -> usize {
    text.split(|c| c != '#').map(str::len).max().unwrap_or(0)
}

impl Rust for Pack {
    fn rust(&self) -> String {
        let Pack {
            name,
            description,
            rules,
            tests,
        } = self;
        let mut out = String::from("super::pack::Pack {\n");
        let _ = writeln!(out, "            name: {},", name.rust());
        let _ = writeln!(out, "            description: {},", description.rust());
        out.push_str("            rules: vec![\n");
        for r in rules {
            let _ = writeln!(out, "{},", r.rust());
        }
        out.push_str("            ],\n            tests: vec![\n");
        for t in tests {
            let _ = writeln!(out, "                {},", t.rust());
        }
        out.push_str("            ],\n        }");
        out
    }
}

impl Rust for Rule {
    fn rust(&self) -> String {
        let Rule { info, checks } = self;
        let RuleInfo {
            id,
            severity,
            summary,
            description,
            why,
            example_fail,
            example_pass,
            example_lines,
            examples_today,
            pack,
            file,
            command,
        } = info;
        let mut out = String::from("                super::rule::Rule {\n");
        out.push_str("                    info: super::info::RuleInfo {\n");
        for (key, value) in [
            ("id", id.rust()),
            ("severity", severity.rust()),
            ("summary", summary.rust()),
            ("description", description.rust()),
            ("why", why.rust()),
            ("example_fail", example_fail.rust()),
            ("example_pass", example_pass.rust()),
            (
                "example_lines",
                format!("({}, {})", example_lines.0, example_lines.1),
            ),
            ("examples_today", examples_today.rust()),
            ("pack", pack.rust()),
            ("file", file.rust()),
            ("command", command.rust()),
        ] {
            let _ = writeln!(out, "                        {key}: {value},");
        }
        out.push_str("                    },\n                    checks: vec![\n");
        for c in checks {
            let _ = writeln!(out, "                        {},", c.rust());
        }
        out.push_str("                    ],\n                }");
        out
    }
}

impl Rust for Check {
    fn rust(&self) -> String {
        match self {
            Check::Select(s) => format!("super::rule::Check::Select({})", s.rust()),
            Check::Builtin(b) => format!("super::rule::Check::Builtin({})", b.rust()),
        }
    }
}

impl Rust for SelectCheck {
    fn rust(&self) -> String {
        let SelectCheck {
            selector,
            when,
            assert,
            message,
            help,
        } = self;
        format!(
            "super::rule::SelectCheck {{ selector: {}, when: {}, assert: {}, message: {}, help: {} }}",
            selector.rust(),
            when.rust(),
            assert.rust(),
            message.rust(),
            help.rust()
        )
    }
}

impl Rust for Selector {
    fn rust(&self) -> String {
        let Selector { text, segments } = self;
        format!(
            "super::select::Selector {{ text: {}, segments: {} }}",
            text.rust(),
            segments.rust()
        )
    }
}

impl Rust for Segment {
    fn rust(&self) -> String {
        match self {
            Segment::Literal(s) => format!("super::select::Segment::Literal({})", s.rust()),
            Segment::Any(name) => format!("super::select::Segment::Any({})", name.rust()),
        }
    }
}

impl Rust for Assertion {
    fn rust(&self) -> String {
        let Assertion {
            kind,
            message,
            help,
        } = self;
        format!(
            "super::rule::Assertion {{ kind: {}, message: {}, help: {} }}",
            kind.rust(),
            message.rust(),
            help.rust()
        )
    }
}

impl Rust for Field {
    fn rust(&self) -> String {
        let Field { text, segments } = self;
        format!(
            "super::rule::Field {{ text: {}, segments: {} }}",
            text.rust(),
            segments.rust()
        )
    }
}

impl Rust for Kind {
    fn rust(&self) -> String {
        let k = "super::rule::Kind";
        match self {
            Kind::Present(f) => format!("{k}::Present({})", f.rust()),
            Kind::Declared(f) => format!("{k}::Declared({})", f.rust()),
            Kind::PresentAny(fs) => format!("{k}::PresentAny({})", fs.rust()),
            Kind::Reference(f, s) => format!("{k}::Reference({}, {})", f.rust(), s.rust()),
            Kind::Pattern(f, re) => format!(
                "{k}::Pattern({}, super::rule::pattern({}).expect(\"the pack's regex compiled when it was parsed\"))",
                f.rust(),
                lit(re.as_str())
            ),
            Kind::Enum(f, values) => format!("{k}::Enum({}, {})", f.rust(), values.rust()),
            Kind::Count(f, min, max) => {
                format!("{k}::Count({}, {}, {})", f.rust(), min.rust(), max.rust())
            }
            Kind::Equals(f, v) => format!("{k}::Equals({}, {})", f.rust(), v.rust()),
            Kind::Schema(f, fragment) => format!(
                "{k}::Schema({}, std::sync::Arc::new(super::rule::Fragment::compile({}).expect(\"the pack's schema compiled when it was parsed\")))",
                f.rust(),
                fragment.rust()
            ),
        }
    }
}

impl Rust for Arc<Fragment> {
    fn rust(&self) -> String {
        self.schema.rust()
    }
}

impl Rust for Template {
    fn rust(&self) -> String {
        let Template { parts } = self;
        format!("super::template::Template {{ parts: {} }}", parts.rust())
    }
}

impl Rust for Part {
    fn rust(&self) -> String {
        let p = "super::template::Part";
        match self {
            Part::Text(s) => format!("{p}::Text({})", s.rust()),
            Part::Var(s) => format!("{p}::Var({})", s.rust()),
            Part::Field(path) => format!("{p}::Field({})", path.rust()),
        }
    }
}

impl Rust for SheetTest {
    fn rust(&self) -> String {
        let SheetTest {
            name,
            pack,
            file,
            line,
            sheet,
            today,
            expect,
        } = self;
        let sheet = match sheet {
            CaseSheet::File(p) => format!("super::pack::CaseSheet::File({})", p.rust()),
            CaseSheet::Inline(t) => format!("super::pack::CaseSheet::Inline({})", t.rust()),
        };
        format!(
            "super::pack::SheetTest {{ name: {}, pack: {}, file: {}, line: {}, sheet: {sheet}, today: {}, expect: {} }}",
            name.rust(),
            pack.rust(),
            file.rust(),
            line.rust(),
            today.rust(),
            expect.rust()
        )
    }
}

impl Rust for Expected {
    fn rust(&self) -> String {
        let Expected {
            rule,
            line,
            severity,
        } = self;
        format!(
            "super::pack::Expected {{ rule: {}, line: {}, severity: {} }}",
            rule.rust(),
            line.rust(),
            severity.rust()
        )
    }
}

/// `prebuilt.rs`: a header with the hash of what it was written from (`inputs`, as `build.rs`
/// hashes them) and of its own body, which `build.rs` checks; then the body.
fn to_rust(packs: &[(Pack, &str)], inputs: &str) -> String {
    let mut body = String::from(
        "/// The embedded packs, as `pack::parse_embedded` gives them.\n\
         pub(super) fn packs() -> Vec<(super::pack::Pack, &'static str)> {\n    vec![\n",
    );
    for (pack, file) in packs {
        let _ = writeln!(
            body,
            "        (\n        {},\n        {}),",
            pack.rust(),
            lit(file)
        );
    }
    body.push_str("    ]\n}\n");
    crate::bless::generated(
        "policies/*.yaml",
        "the_prebuilt_packs_are_the_parsed_packs",
        inputs,
        &body,
    )
}

#[test]
fn the_prebuilt_packs_are_the_parsed_packs() {
    let parsed: Vec<(Pack, &str)> = super::EMBEDDED
        .iter()
        .map(|(name, text)| {
            let pack = pack::parse_embedded(name, text).unwrap_or_else(|e| panic!("{e}"));
            (pack, *name)
        })
        .collect();
    let want = to_rust(&parsed, env!("GOVSHEET_PACKS_INPUTS_FNV1A64"));
    crate::bless::check_or_bless("src/policy/prebuilt.rs", &want, "parsing policies/*.yaml");
    // What the file builds is what it says (and what parsing the packs gives).
    #[cfg(not(govsheet_stale_packs))]
    assert_eq!(
        to_rust(
            &super::prebuilt::packs(),
            env!("GOVSHEET_PACKS_INPUTS_FNV1A64")
        ),
        want
    );
}

#[test]
fn raw_strings_outlast_the_hashes_inside() {
    let value = serde_json::json!({"a\"#": "b\"##c"});
    let code = value.rust();
    assert!(code.contains("r###\""), "{code}");
    assert_eq!(longest_hash_run("x##y###z"), 3);
    assert_eq!(longest_hash_run(""), 0);
}
