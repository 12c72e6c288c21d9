//! The YAML fast path (`sheet::yaml::parse_fast`) against the reference builder
//! (`sheet::yaml::parse_reference`, granit-parser's events): on every yaml-test-suite case, every
//! YAML file in the repository, generated sheets, hand-written edge cases and mutations of all of
//! those, the fast path either declines or builds exactly the reference's tree (values and
//! spans). Where it must not decline (the shipped sheets, the generated ones) it is checked too.

#[path = "../benches/common/mod.rs"]
mod common;

use std::path::Path;

use govsheet::sheet::yaml::{self, Node, Value};

/// The first difference between two trees (values and spans), or `None` when they are equal.
fn diff(a: &Node, b: &Node, path: &str) -> Option<String> {
    if a.span != b.span {
        return Some(format!("{path}: span {:?} vs {:?}", a.span, b.span));
    }
    match (&a.value, &b.value) {
        (Value::Seq(x), Value::Seq(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (a, b))| diff(a, b, &format!("{path}/{i}"))),
        (Value::Map(x), Value::Map(y)) if x.len() == y.len() => {
            x.iter().zip(y).find_map(|((ka, va), (kb, vb))| {
                let p = format!("{path}/{}", ka.key_text());
                diff(ka, kb, &format!("{p}(key)")).or_else(|| diff(va, vb, &p))
            })
        }
        (Value::Float(x), Value::Float(y)) if x.is_nan() && y.is_nan() => None,
        (Value::Seq(_) | Value::Map(_), _) | (_, Value::Seq(_) | Value::Map(_)) => {
            Some(format!("{path}: {:?} vs {:?}", a.value, b.value))
        }
        (x, y) if x == y => None,
        (x, y) => Some(format!("{path}: {x:?} vs {y:?}")),
    }
}

/// `Some(true)` when the fast path builds the reference's tree, `Some(false)` when it declines,
/// and a description of the disagreement otherwise.
fn agree(text: &str) -> Result<bool, String> {
    let Some(fast) = yaml::parse_fast(text) else {
        return Ok(false);
    };
    match yaml::parse_reference(text) {
        Ok(reference) => match diff(&fast, &reference, "") {
            None => Ok(true),
            Some(d) => Err(d),
        },
        Err(e) => Err(format!(
            "the fast path accepts what the reference refuses: {} at {:?}",
            e.message, e.span
        )),
    }
}

fn files_under(dir: &str, out: &mut Vec<(String, String)>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for e in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            out.push((p.strip_prefix(root).unwrap().display().to_string(), text));
        }
    }
}

fn suite() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/yaml-test-suite");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("in.yaml").is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(p.join("in.yaml")).unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    assert!(out.len() >= 400, "the vendored suite lost cases");
    out
}

/// The sheets a team writes: the shipped examples, the `init` templates and the policy packs.
fn shipped() -> Vec<(String, String)> {
    let mut out = Vec::new();
    files_under("examples", &mut out);
    files_under("src/cli/templates", &mut out);
    files_under("policies", &mut out);
    out.sort();
    assert!(out.len() >= 5, "{out:?}");
    out
}

/// Every YAML file under `tests/` but the suite (the fixtures hold broken sheets on purpose).
fn test_files() -> Vec<(String, String)> {
    let mut out = Vec::new();
    files_under("tests", &mut out);
    out.retain(|(name, _)| !name.contains("yaml-test-suite"));
    out.sort();
    out
}

fn generated() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for events in [10, 100, 1_000] {
        let mut shape = common::Shape::new(events);
        out.push((
            format!("generated {events}"),
            common::sheet(&shape, Some("records")),
        ));
        shape.compact = true;
        out.push((
            format!("generated {events} compact"),
            common::sheet(&shape, None),
        ));
    }
    out.extend(
        common::record_files(&common::Shape::new(10))
            .into_iter()
            .map(|(name, text)| (format!("generated record {name}"), text)),
    );
    out
}

/// Texts the fast path once disagreed on, and edge cases written by hand.
const CASES: &[&str] = &[
    "a: 1\n",
    "",
    "# only\n\n",
    "\n  \n",
    "---\n",
    "---\na: 1\n",
    "# c\n---\n# d\na: 1\n...\n",
    "--- # c\na: 1\n",
    "a: 1\n---\nb: 2\n",
    "  a: 1\nb: 2\n",
    "a:\nb: # c\nc:\n- x\n-\n- # c\n-   k: 1\n    j:\n- - z\n",
    "c:\n- k: 1\n  j: 2\n- x\nd:\n-\n- y\ne:\n- \n",
    "c:\n-\n  a: 1\n- x\nd:\n-   # q\n\n   - z\ne: ...\nf: -x\ng: [ ]\nh: { }\n",
    "c:\n- |\n  x\n- y\nd:\n- [a]\ne:\n- \"q\"\nf:\n-\n\n# c\n- y\n",
    "a: |\n  x\n\n  # c\n\n# d\n\nb: >\n  f\n  g\n\n  h\n    \nc: |-\n  z\n",
    "a: |\n  x",
    "a: |\n  x\n",
    "a: |\n\nb: |\n",
    "m:\n  a: |\n\n    x\n  b: 1\n  c: >-\n    y\n    z\n\n  d: 2\n",
    "a: |\n  x\n \n   \nb: 1\n",
    "a:\n- |\n  x\n- |\n   y\n",
    "a: |\n    x\n  # c\nb: 1\n",
    "a: >\n  x  \n  y\n",
    "a: >\n\n  x\n",
    "a: |+\n  x\n\n",
    "a: |2\n   x\n",
    "a: | # c\n  x\n",
    "a: |x\n  x\n",
    "- |\n x\n",
    "a: \"a\\x41\\u00e9\\U0001F600\\t\\\\\\\"\\/\\N\\_\\L\\P\\0\\a\\b\\e\\f\\n\\r\\v\\ \"\n",
    "a: \"\\uD800\"\n",
    "a: \"x\\\n  y\"\n",
    "a: 'it''s'\nb: ''\nc: \"\"\n",
    "a: 'x\n  y'\n",
    "\"k\" : 1\n'j':   2\n",
    "f  : 1\n",
    "a: b: c\n",
    "a: b # c: d\n",
    "a:b\n",
    "a: x:y\n",
    "url: http://x.example/a#b\n",
    "a: [a, b, c]\nb: {k: v, z: [1, \"q\"], w: {x: y}}\nc: [\"a\", 'b']\n",
    "a: [a,b]\nb: {a: b,c: d}\n",
    "a: [a, b,]\n",
    "a: {a, b: c}\n",
    "a: {a: }\n",
    "a: {a:b}\n",
    "a: [a:b]\n",
    "a: [a: b]\n",
    "a: {\"a\":b}\n",
    "a: {\"a\": b, 'c' : d}\n",
    "a: [a #c\n  ]\n",
    "a: [a, [b, [c]]] # c\n",
    "a: [a]#c\n",
    "a: [a]: b\n",
    "[a]: b\n",
    "a: {<<: {b: 1}}\n",
    "a:\n  <<: {b: 1}\n  c: 2\n",
    "a:\n  \"<<\": 1\n",
    "a: 1\na: 2\n",
    "1: a\n\"1\": b\n",
    "a: {x: 1, x: 2}\n",
    "~: a\nnull: b\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "? a\n: b\n",
    "%YAML 1.2\n---\na: 1\n",
    "a: 1\n  b: 2\n",
    "a:\n  b: 1\n c: 2\n",
    "a:\n  - x\n  b: 1\n",
    "- a: 1\n  - x\n",
    "- a: 1\n   b: 2\n",
    "-   a: 1\n    b: 2\n- c\n",
    "- \"q\": 1\n  r: 2\n",
    "a: b\n  c\n",
    "a: b\n\n  c\n",
    "- a\n  b\n",
    "a:\n  value\n",
    "hello\n",
    "- a\nb: 1\n",
    "a: yes\nb: no\nc: on\nd: true\ne: False\nf: ~\ng: 0x1F\nh: 0o17\ni: 1.5e3\nj: .nan\nk: -.inf\nl: 99999999999999999999\nm: 2026-11-25\n",
    "a: -1\nb: +1\nc: .5\nd: -.5\n",
    "a: --x\n",
    "a: - b\n",
    "a: é ü €\n\"é\": 1\n",
    "a: \u{feff}x\n",
    "a: b\u{85}c\n",
    "a: b\u{2028}c\n",
    "a:\tb\n",
    "a: b\r\n",
    "key with spaces: value with spaces   \n",
    "a: value # comment\n# full comment\n   # indented comment\nb: 2\n",
    "a:\n    # comment\n  b: 1\n",
    "a: 'x' # c\nb: \"y\"   # c\n",
    "a: 'x'#c\n",
    "a: |\n  x\n---\n",
    "a: >-\n  x\n\n\n  y\n\n",
    "a: >\n  x\n   y\n  z\n",
    "a: |-\n  x\n\n",
    "a: |\n  x\n  ",
    "a: |\n  x\n   ",
    "- - a\n  - b\n",
    "-\n  - a\n  - b\n- c\n",
    "a:\n-\n  b: 1\n",
    "x: 1\n...\n",
    "x: ---\ny: '---'\n",
    "a: 1 # c\n\n\n",
    "a: 1\n# c",
    "a:",
    "a: \"x\"",
    "a: [x]",
    "- a\n-",
    "a: x\n- b\n",
    "a:\n  - b\n- c\n",
    "- a:\n  - x\n  b: 1\n- c\n",
    "- a: |\n    x\n  b: >-\n    y\n- c\n",
    "a: \u{7f}\n",
    "a: \u{1}\n",
    "a: b\u{a0}\u{fdd0}\u{10ffff}\n",
    "1.5: a\n0x1F: b\n012: c\n12: d\n",
    "a: it's \"so\"\nb: #\nc:  'x'  \n\"d\"  : 1\n",
    "- 'a': 1\n  'b': 2\n- []\n- {}\n- {a: [1, {b: c}]}\n- { a: b }\n- [~, null, '', \"\"]\n",
    "--- \n",
    "---\n---\n",
    "a: |\n  x  \n  # not a comment\n   y\n",
    "a: >-\n  x\n\n  y\n  z\n",
    "é: ü\n\"€\": x\n",
    "a: [a:]\n",
    "a: [a,]\n",
    "a: [,a]\n",
    "a: {,}\n",
    "a: b\n\n\n# c\n\n",
    "a:\n\n\n  b: 1\n",
    "a: \"\\x4\"\n",
    "a: \"\\q\"\n",
    "a: 'x\n",
    "a: \"x\n",
    "key: value:with:colons\n",
    "key: a - b\n",
    "k: x [y] {z}, w\n",
    "- x, y\n",
    "a: - \n",
    "a: -\n",
    "a: 0\nb: -0\nc: 00\nd: 1_0\ne: 1e5\nf: +.inf\ng: .NaN\n",
];

fn check_all(name: &str, texts: &[(String, String)], must_accept: bool) -> (usize, usize) {
    let mut problems = Vec::new();
    let mut accepted = 0;
    for (file, text) in texts {
        match agree(text) {
            Ok(true) => accepted += 1,
            Ok(false) if must_accept => problems.push(format!("{file}: the fast path declines")),
            Ok(false) => {}
            Err(d) => problems.push(format!("{file}: {d}\n--- text:\n{text}")),
        }
    }
    assert!(
        problems.is_empty(),
        "{name}: {} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    (accepted, texts.len())
}

#[test]
fn agrees_with_the_reference_on_the_yaml_test_suite() {
    let (accepted, total) = check_all("suite", &suite(), false);
    eprintln!("the fast path builds {accepted} of {total} yaml-test-suite cases");
    assert!(accepted >= 40, "only {accepted} of {total} suite cases");
}

#[test]
fn builds_the_shipped_and_generated_sheets_itself() {
    check_all("shipped", &shipped(), true);
    check_all("generated", &generated(), true);
    // The benchmark's largest sheet (compared with the reference in the benchmark, not here:
    // the reference takes seconds in a debug build). Its 1,000 owners once made a weak key
    // hash collide, and the fast path declined the whole sheet.
    let text = common::sheet(&common::Shape::new(10_000), None);
    assert!(yaml::parse_fast(&text).is_some(), "the 10,000-event sheet");
    let many: String = (0..30_000)
        .map(|i| format!("owner-{i}: {{n: {i}}}\n"))
        .collect();
    assert!(yaml::parse_fast(&many).is_some(), "30,000 similar keys");
}

#[test]
fn agrees_with_the_reference_on_the_test_files() {
    check_all("tests", &test_files(), false);
}

#[test]
fn agrees_with_the_reference_on_edge_cases() {
    let cases: Vec<(String, String)> = CASES
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("case {i} {t:?}"), t.to_string()))
        .collect();
    let (accepted, _) = check_all("edge cases", &cases, false);
    assert!(accepted >= 30, "only {accepted} edge cases accepted");
}

/// Small edits of real files: lines deleted, doubled, indented or dedented, and odd characters
/// put at the start, middle and end of lines. Deterministic (no seed to keep).
fn mutations(text: &str) -> Vec<String> {
    const ODD: &[&str] = &[
        "#", " #", ":", ": ", "-", "- ", "'", "\"", "[", "]", "{", "}", ",", "|", ">", "&a ", "*a",
        "!", "?", "%", "@", " ", "\\", "\t", "\r", "é", "---", "...", "x",
    ];
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let join = |ls: &[String]| ls.concat();
    let mut out = Vec::new();
    let owned: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    // At most about 20 lines of each file (the reference is slow in a debug build).
    let stride = lines.len().div_ceil(20).max(1);
    for i in (0..lines.len()).step_by(stride) {
        let mut v = owned.clone();
        v.remove(i);
        out.push(join(&v));
        let mut v = owned.clone();
        v.insert(i, owned[i].clone());
        out.push(join(&v));
        for edit in [0, 1, 2] {
            let mut v = owned.clone();
            v[i] = match edit {
                0 => format!(" {}", owned[i]),
                1 => owned[i].strip_prefix("  ").unwrap_or(&owned[i]).to_owned(),
                _ => format!("   {}", owned[i]),
            };
            out.push(join(&v));
        }
        let line = &owned[i];
        let body = line.trim_end_matches('\n');
        let nl = &line[body.len()..];
        let cut = body
            .char_indices()
            .map(|(p, _)| p)
            .nth(body.chars().count() / 2)
            .unwrap_or(body.len());
        let first = body.len() - body.trim_start().len();
        for (k, odd) in ODD.iter().enumerate() {
            let at = [first, cut, body.len()][(i + k) % 3];
            let mut v = owned.clone();
            v[i] = format!("{}{odd}{}{nl}", &body[..at], &body[at..]);
            out.push(join(&v));
        }
    }
    out
}

#[test]
fn agrees_with_the_reference_on_mutated_files() {
    let mut sources = shipped();
    sources.extend(generated().into_iter().filter(|(n, _)| n.ends_with(" 10")));
    sources.extend(
        CASES
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("case {i}"), t.to_string())),
    );
    let mut problems = Vec::new();
    let mut tried = 0;
    let mut accepted = 0;
    for (name, text) in &sources {
        for (m, mutated) in mutations(text).into_iter().enumerate() {
            tried += 1;
            match agree(&mutated) {
                Ok(true) => accepted += 1,
                Ok(false) => {}
                Err(d) => problems.push(format!("{name} mutation {m}: {d}\n--- text:\n{mutated}")),
            }
            if problems.len() > 20 {
                break;
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {tried} mutations disagree:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(accepted * 4 > tried, "only {accepted} of {tried} accepted");
}

#[test]
fn parse_takes_the_fast_path_and_budgets_hold_on_it() {
    let text = common::sheet(&common::Shape::new(10), None);
    assert_eq!(yaml::parse(&text), yaml::parse_reference(&text));
    // Too deep for the budget: the fast path declines and the reference reports it.
    let mut deep: String = (0..100).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    deep.push_str(&" ".repeat(100));
    deep.push_str("k: 1\n");
    assert!(yaml::parse_fast(&deep).is_none());
    assert!(
        yaml::parse(&deep)
            .unwrap_err()
            .message
            .contains("nests deeper")
    );
    let flow = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
    assert!(yaml::parse_fast(&flow).is_none());
    assert!(yaml::parse(&flow).is_err());
    // Just inside the depth budget: accepted by both, the same tree.
    let ok = format!("a: {}{}\n", "[".repeat(60), "]".repeat(60));
    assert_eq!(agree(&ok), Ok(true));
    // Keys near YAML's 1,024-character limit on implicit keys, block and flow, with spaces
    // before the `:` counted (found by the yaml_fast fuzz target: a long quoted flow key).
    for len in [999, 1000, 1001, 1024, 1025, 2000] {
        let k = "k".repeat(len);
        let spaced = "k".repeat(len - 40);
        let spaces = " ".repeat(40);
        for text in [
            format!("{k}: 1\n"),
            format!("\"{k}\": 1\n"),
            format!("{spaced}{spaces}: 1\n"),
            format!("- {{ \"{k}\": val}}\n- u\n"),
            format!("a: {{{k}: v}}\n"),
            format!("a: [\"{k}\", {k}]\n"),
            format!("- {k}: 1\n"),
        ] {
            assert!(agree(&text).is_ok(), "{len}: {:?}", agree(&text));
        }
    }
    // Duplicate keys past the linear scan: declined, so the reference names them.
    let many: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    assert_eq!(agree(&many), Ok(true));
    for dup in [
        "k7: again\n",
        "\"k39\": q\n",
        "1: a\n'1': b\n",
        "1.0: a\n1: b\n",
        ".nan: a\n.NaN: b\n",
    ] {
        let text = format!("{many}{dup}");
        assert!(yaml::parse_fast(&text).is_none(), "{dup:?}");
        assert!(
            yaml::parse(&text)
                .unwrap_err()
                .message
                .contains("duplicate"),
            "{dup:?}"
        );
        let flow = format!("m: {{{}}}\n", text.trim_end().replace('\n', ", "));
        assert!(yaml::parse_fast(&flow).is_none(), "{flow:?}");
        assert!(yaml::parse(&flow).is_err(), "{flow:?}");
    }
    let big = "x".repeat(yaml::MAX_FILE_BYTES + 1);
    assert!(yaml::parse_fast(&big).is_none());
    assert!(yaml::parse(&big).unwrap_err().message.contains("limit"));
}
