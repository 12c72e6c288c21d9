//! Property test: YAML-shaped text from a small grammar (schema keys, scalars, lists, maps,
//! flow and block style, anchors and aliases, quotes, tabs, unicode), plus random edits of it,
//! goes through `sheet::load`, the core policy and every renderer without a panic, and every reported place lies
//! inside the file.

use govsheet::finding::Finding;
use govsheet::report;
use govsheet::sheet;
use proptest::prelude::*;

const KEYS: &[&str] = &[
    "version",
    "sheet",
    "name",
    "dataset",
    "platform",
    "owners",
    "tracking",
    "systems",
    "kind",
    "owner",
    "events",
    "Purchase",
    "Lead",
    "meaning",
    "browser",
    "server",
    "system",
    "fires_on",
    "event_id",
    "logic",
    "parameters",
    "value",
    "currency",
    "required",
    "source_of_truth",
    "triggers",
    "retests",
    "rollback",
    "pause",
    "resume_when",
    "components",
    "paths",
    "depends_on",
    "records",
    "records_dir",
    "date",
    "result",
    "incidents",
    "opened",
    "status",
    "reviews",
    "cadence",
    "last",
    "waivers",
    "expires",
    "policy",
    "rules",
    "max_age",
    "x y",
    "ümlaut",
    "日本",
    "a:b",
    "-",
    "?",
    "<<",
];

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("1".to_owned()),
        Just("-0.5e3".to_owned()),
        Just("true".to_owned()),
        Just("no".to_owned()),
        Just("~".to_owned()),
        Just("null".to_owned()),
        Just("2026-02-30".to_owned()),
        Just("2026-11-20".to_owned()),
        Just("30d".to_owned()),
        Just("\"\"".to_owned()),
        Just("''".to_owned()),
        Just("|\n  block\n  text".to_owned()),
        Just(">-\n  folded".to_owned()),
        Just("!!binary aGVsbG8=".to_owned()),
        Just("!custom x".to_owned()),
        "[a-z][a-z0-9-]{0,8}",
        "\"[^\"\\\\\n]{0,12}\"",
        "'[^'\n]{0,12}'",
        "\"\\\\[nt\"\\\\u00e9xU]{1,3}\"",
        "[éü日本🙂 ]{1,4}",
        Just("\u{feff}bom".to_owned()),
        "[0-9]{1,25}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-zA-Z_][a-zA-Z0-9_-]{0,6}",
        1 => "\"[^\"\\\\\n]{0,6}\"",
    ]
}

/// A YAML tree, rendered as text at indentation `indent`.
#[derive(Debug, Clone)]
enum Tree {
    Scalar(String),
    Map(Vec<(String, Tree)>),
    Seq(Vec<Tree>),
    Anchor(u8, Box<Tree>),
    Alias(u8),
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        6 => scalar().prop_map(Tree::Scalar),
        1 => (0u8..4).prop_map(Tree::Alias),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            3 => proptest::collection::vec((key(), inner.clone()), 0..6).prop_map(Tree::Map),
            2 => proptest::collection::vec(inner.clone(), 0..5).prop_map(Tree::Seq),
            1 => (0u8..4, inner).prop_map(|(a, t)| Tree::Anchor(a, Box::new(t))),
        ]
    })
}

fn flow(t: &Tree) -> String {
    match t {
        Tree::Scalar(s) => s.replace('\n', " "),
        Tree::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}: {}", flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Tree::Seq(s) => format!("[{}]", s.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Tree::Anchor(a, t) => format!("&a{a} {}", flow(t)),
        Tree::Alias(a) => format!("*a{a}"),
    }
}

fn block(t: &Tree, indent: usize, out: &mut String, style: &[u8], depth: usize) {
    let pad = " ".repeat(indent);
    let use_flow = style.get(depth).is_some_and(|b| b % 4 == 0);
    match t {
        Tree::Map(m) if !m.is_empty() && !use_flow => {
            for (k, v) in m {
                out.push_str(&format!("{pad}{k}:"));
                value(v, indent, out, style, depth);
            }
        }
        Tree::Seq(s) if !s.is_empty() && !use_flow => {
            for v in s {
                out.push_str(&format!("{pad}-"));
                value(v, indent, out, style, depth);
            }
        }
        other => out.push_str(&format!("{pad}{}\n", flow(other))),
    }
}

fn value(v: &Tree, indent: usize, out: &mut String, style: &[u8], depth: usize) {
    match v {
        Tree::Map(m) if !m.is_empty() => {
            out.push('\n');
            block(v, indent + 2, out, style, depth + 1);
        }
        Tree::Seq(s) if !s.is_empty() => {
            out.push('\n');
            block(v, indent + 2, out, style, depth + 1);
        }
        Tree::Scalar(s) if s.contains('\n') => {
            let pad = " ".repeat(indent + 2);
            out.push_str(&format!(" {}\n", s.replace("\n  ", &format!("\n{pad}"))));
        }
        other => out.push_str(&format!(" {}\n", flow(other))),
    }
}

/// A document: `version: 1` and a tree, or the tree alone.
fn document() -> impl Strategy<Value = String> {
    (
        tree(),
        proptest::collection::vec(any::<u8>(), 8),
        any::<bool>(),
    )
        .prop_map(|(t, style, with_version)| {
            let mut out = String::new();
            if with_version {
                out.push_str("version: 1\n");
            }
            block(&t, 0, &mut out, &style, 0);
            out
        })
}

/// Random edits that break text in the ways people do: tabs, stray quotes and brackets,
/// deleted characters, unicode, CRLF.
fn edited() -> impl Strategy<Value = String> {
    let edit = (
        any::<prop::sample::Index>(),
        prop_oneof![
            Just("\t"),
            Just("\""),
            Just("'"),
            Just("["),
            Just("]"),
            Just("{"),
            Just(":"),
            Just("- "),
            Just("\n"),
            Just("\r\n"),
            Just("  "),
            Just("&a0 "),
            Just("*a0"),
            Just("#"),
            Just("é"),
            Just("🙂"),
            Just("\u{0}"),
            Just("---\n"),
            Just("? "),
            Just(""),
        ],
        any::<bool>(),
    );
    (document(), proptest::collection::vec(edit, 0..6)).prop_map(|(mut text, edits)| {
        for (at, insert, delete) in edits {
            if text.is_empty() {
                text.push_str(insert);
                continue;
            }
            let mut i = at.index(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            if delete && i < text.len() {
                let c = text[i..].chars().next().unwrap();
                text.replace_range(i..i + c.len_utf8(), "");
            }
            text.insert_str(i, insert);
        }
        text
    })
}

fn assert_inside(text: &str, f: &Finding) -> Result<(), TestCaseError> {
    let lines: Vec<&str> = text.split('\n').collect();
    if let Some(s) = f.span {
        prop_assert!(
            s.end() <= text.len(),
            "span {s:?} past {}: {f:?}",
            text.len()
        );
        prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end()));
    }
    for l in &f.labels {
        prop_assert!(l.span.end() <= text.len(), "label {l:?} past the end");
    }
    let loc = f
        .location
        .ok_or_else(|| TestCaseError::fail(format!("no location: {f:?}")))?;
    prop_assert!(
        loc.line >= 1 && loc.line <= lines.len(),
        "line {} of {}",
        loc.line,
        lines.len()
    );
    let width = lines[loc.line - 1].chars().count();
    prop_assert!(
        loc.column >= 1 && loc.column <= width + 1,
        "column {} of a {width}-character line {}: {f:?}",
        loc.column,
        loc.line
    );
    Ok(())
}

fn check(text: &str) -> Result<(), TestCaseError> {
    let mut loaded = sheet::load("governance.yaml", text.as_bytes().to_vec());
    // The core policy (rules and waivers) over whatever model could be built.
    if let Some(s) = &loaded.sheet {
        let today = sheet::model::parse_date("2026-11-25").unwrap();
        let files = ["theme/layout/theme.liquid".to_owned()];
        let input = govsheet::policy::Input::new(today, Some(&files));
        let core = govsheet::policy::core();
        let mut findings = std::mem::take(&mut loaded.findings);
        findings.extend(core.check(s, &input));
        loaded.findings = core.finalize(s, findings, today, &|id| core.runs_in_check(id));
    }
    // A NUL byte ends the text that is kept (the file is binary).
    let kept = &loaded.source.text;
    for f in &loaded.findings {
        assert_inside(kept, f)?;
        prop_assert_eq!(&f.file, "governance.yaml");
    }
    let opts = report::human::HumanOptions::default();
    let human = report::human::render(&loaded.findings, 1, opts);
    prop_assert!(human.contains("in 1 sheet"));
    let coloured = report::human::render(
        &loaded.findings,
        1,
        report::human::HumanOptions {
            color: true,
            max_findings: 3,
            width: 40,
        },
    );
    prop_assert!(!coloured.is_empty());
    let json: serde_json::Value = serde_json::from_str(&report::json::render(&loaded.findings, 1))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(
        json["findings"].as_array().map(Vec::len),
        Some(loaded.findings.len())
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn grammar_documents_load_and_render(text in document()) {
        check(&text)?;
    }

    #[test]
    fn edited_documents_load_and_render(text in edited()) {
        check(&text)?;
    }

    #[test]
    fn arbitrary_bytes_load_and_render(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let loaded = sheet::load("governance.yaml", bytes);
        for f in &loaded.findings {
            assert_inside(&loaded.source.text, f)?;
        }
        let _ = report::human::render(&loaded.findings, 1, Default::default());
        let _ = report::json::render(&loaded.findings, 1);
    }
}
