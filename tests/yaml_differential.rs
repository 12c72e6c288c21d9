//! The span tree (`sheet::yaml`, built from granit-parser events) checked against two
//! references: the JSON every valid yaml-test-suite case says it means (`in.json`), and
//! serde-saphyr itself, the library the tree used to be deserialized with, over the suite and
//! every YAML file in the repository (values and spans).

use std::path::{Path, PathBuf};

use govsheet::sheet::yaml::{self, Node, Value};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value as J;

fn suite() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/yaml-test-suite");
    let mut out: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("in.yaml").is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    out
}

/// The tree as plain JSON, nulls kept (unlike `Node::to_json`, which drops null map values).
fn json(n: &Node) -> J {
    match &n.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.to_string()),
        Value::Seq(s) => J::Array(s.iter().map(json).collect()),
        Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.key_text(), json(v))).collect()),
    }
}

/// Numbers compare by value (`1.0` in the tree, `1` in the suite's JSON).
fn same(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64() == y.as_f64(),
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| same(a, b)))
        }
        _ => a == b,
    }
}

/// Valid cases whose tree differs from the suite's JSON on purpose, and why.
const DIFFERENT_ON_PURPOSE: &[(&str, &str)] = &[];

#[test]
fn valid_cases_mean_what_the_suite_says() {
    let mut compared = 0;
    let mut differ = Vec::new();
    for (id, dir) in suite() {
        if dir.join("error").exists() {
            continue;
        }
        let Ok(expected) = std::fs::read_to_string(dir.join("in.json")) else {
            continue;
        };
        let docs: Vec<J> = serde_json::Deserializer::from_str(&expected)
            .into_iter::<J>()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{id}: in.json: {e}"));
        let text = std::fs::read_to_string(dir.join("in.yaml")).unwrap();
        let parsed = yaml::parse(&text);
        match (docs.as_slice(), parsed) {
            // A sheet is one document: streams of several are refused, and that is checked
            // in tests/yaml_test_suite.rs.
            (docs, Err(e)) if docs.len() != 1 && e.message.contains("several") => {}
            ([], Ok(n)) if n.is_null() => {}
            ([doc], Ok(n)) => {
                compared += 1;
                if !same(&json(&n), doc) {
                    differ.push(format!("{id}: got {} want {doc}", json(&n)));
                }
            }
            (_, Err(e)) => differ.push(format!("{id}: refused: {}", e.message)),
            (docs, Ok(n)) => {
                differ.push(format!("{id}: {} documents, got {}", docs.len(), json(&n)));
            }
        }
    }
    let on_purpose: Vec<&str> = DIFFERENT_ON_PURPOSE.iter().map(|(id, _)| *id).collect();
    let unexpected: Vec<&String> = differ
        .iter()
        .filter(|d| !on_purpose.iter().any(|id| d.starts_with(&format!("{id}:"))))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{} of {compared} cases differ from in.json:\n{}",
        unexpected.len(),
        unexpected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(compared > 200, "only {compared} cases compared");
}

// ---- serde-saphyr as the reference -------------------------------------------------------

/// A node as serde-saphyr deserializes it, with its span.
struct Ref(Node);

impl<'de> Deserialize<'de> for Ref {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned: serde_saphyr::Spanned<RefValue> = serde_saphyr::Spanned::deserialize(d)?;
        let s = spanned.referenced.span();
        let span = govsheet::source::Span::new(
            s.byte_offset().unwrap_or(0) as usize,
            s.byte_len().unwrap_or(0) as usize,
        );
        Ok(Ref(Node {
            value: spanned.value.0,
            span,
        }))
    }
}

struct RefValue(Value);

impl<'de> Deserialize<'de> for RefValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RefVisitor).map(RefValue)
    }
}

struct RefVisitor;

impl<'de> Visitor<'de> for RefVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        RefValue::deserialize(d).map(|v| v.0)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.into()))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Ref(n)) = a.next_element::<Ref>()? {
            items.push(n);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((Ref(k), Ref(v))) = a.next_entry::<Ref, Ref>()? {
            entries.push((k, v));
        }
        Ok(Value::Map(entries))
    }
}

fn reference(text: &str) -> Result<Node, String> {
    let text = text.to_owned();
    // serde-saphyr recurses per nesting level: give it room.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let mut options = serde_saphyr::Options::default();
            options.strict_booleans = true;
            options.strict_indentation = true;
            options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
            serde_saphyr::from_str_with_options::<Ref>(&text, options)
                .map(|r| r.0)
                .map_err(|e| e.to_string())
        })
        .unwrap()
        .join()
        .unwrap()
}

/// The first place two trees differ, as a path and a description.
/// serde-saphyr places every node an alias replays at the alias (`*name`); the tree keeps
/// them where they are written, and only the alias's own node at the alias. An empty
/// document is a null at the start of the file, where serde-saphyr puts it at the end.
fn diff(a: &Node, b: &Node, path: &str, text: &str) -> Option<String> {
    let replayed = text.get(b.span.start..).is_some_and(|t| t.starts_with('*'));
    let empty_root = path.is_empty() && a.is_null();
    if a.span != b.span && !replayed && !empty_root {
        return Some(format!("{path}: span {:?} vs {:?}", a.span, b.span));
    }
    match (&a.value, &b.value) {
        (Value::Seq(x), Value::Seq(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (a, b))| diff(a, b, &format!("{path}/{i}"), text)),
        (Value::Map(x), Value::Map(y)) if x.len() == y.len() => {
            x.iter().zip(y).find_map(|((ka, va), (kb, vb))| {
                let p = format!("{path}/{}", ka.key_text());
                diff(ka, kb, &format!("{p}(key)"), text).or_else(|| diff(va, vb, &p, text))
            })
        }
        (Value::Float(x), Value::Float(y)) if x.is_nan() && y.is_nan() => None,
        (x, y) if x == y && is_scalar(a) => None,
        (x, y) => Some(format!("{path}: {x:?} vs {y:?}")),
    }
}

fn is_scalar(n: &Node) -> bool {
    !matches!(n.value, Value::Seq(_) | Value::Map(_))
}

fn repository_yaml() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["examples", "policies", "tests/cases", "tests/fixtures"] {
        for e in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(p.to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Files serde-saphyr refuses and the tree accepts, and why.
const ACCEPTED_ON_PURPOSE: &[(&str, &str)] = &[(
    "565N",
    "`!!binary` is kept as the base64 text written (serde-saphyr decodes it and refuses bytes that are not UTF-8)",
)];

#[test]
fn agrees_with_serde_saphyr() {
    let mut files: Vec<(String, String)> = suite()
        .into_iter()
        .map(|(id, dir)| {
            (
                id,
                std::fs::read_to_string(dir.join("in.yaml")).unwrap_or_default(),
            )
        })
        .collect();
    files.extend(repository_yaml().into_iter().map(|p| {
        (
            p.display().to_string(),
            std::fs::read_to_string(&p).unwrap(),
        )
    }));
    let mut problems = Vec::new();
    let mut compared = 0;
    for (name, text) in &files {
        match (yaml::parse(text), reference(text)) {
            (Ok(ours), Ok(theirs)) => {
                compared += 1;
                if let Some(d) = diff(&ours, &theirs, "", text) {
                    problems.push(format!("{name}: {d}"));
                }
            }
            (Err(_), Err(_)) => {}
            (Ok(_), Err(_)) if ACCEPTED_ON_PURPOSE.iter().any(|(id, _)| id == name) => {}
            (Ok(_), Err(e)) => problems.push(format!("{name}: only serde-saphyr refuses: {e}")),
            (Err(e), Ok(_)) => problems.push(format!("{name}: only we refuse: {}", e.message)),
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} files differ ({compared} compared):\n{}",
        problems.len(),
        files.len(),
        problems.join("\n")
    );
}
