//! The evaluator as it was before selectors were compiled ([`super::matcher`]): every select
//! check matching its own selector over the documents, one rule after another. Kept only to
//! test the compiled walk against: the same findings, in the same order, on the fixtures, the
//! examples, generated sheets and random packs and sheets; and the same matches as each
//! selector alone finds (a node too few or too many is a failure).

use std::sync::Arc;

use super::select::{Match, Selector};
use super::{Check, Documents, Input, Policy, builtin, effective};
use crate::finding::Finding;
use crate::sheet::Sheet;
use crate::source::SourceFile;

impl Documents<'_> {
    fn select<'a>(&'a self, selector: &Selector) -> Vec<(Arc<SourceFile>, Match<'a>)> {
        let sheet = self.sheet;
        let items: Option<Vec<(&Arc<SourceFile>, &str)>> = match selector.list_section() {
            Some(("records", _)) => Some(
                sheet
                    .records
                    .iter()
                    .map(|r| (&r.source, r.pointer.as_str()))
                    .collect(),
            ),
            Some(("incidents", _)) => Some(
                sheet
                    .incidents
                    .iter()
                    .map(|i| (&i.source, i.pointer.as_str()))
                    .collect(),
            ),
            _ => None,
        };
        let Some(items) = items else {
            return selector
                .matches(&sheet.root)
                .into_iter()
                .map(|m| (Arc::clone(&sheet.source), m))
                .collect();
        };
        let capture = selector
            .list_section()
            .and_then(|(_, c)| c)
            .map(str::to_owned);
        let mut out = Vec::new();
        for (i, (source, pointer)) in items.into_iter().enumerate() {
            let root = if Arc::ptr_eq(source, &sheet.source) {
                &sheet.root
            } else {
                match sheet
                    .file_roots
                    .get(&source.name)
                    .or_else(|| self.others().get(&source.name))
                {
                    Some(r) => r,
                    None => continue,
                }
            };
            let Some((key, node)) = root.walk(pointer) else {
                continue;
            };
            let captures = capture.iter().map(|c| (c.clone(), i.to_string())).collect();
            let mut found = Vec::new();
            selector.match_from(2, node, key, pointer.to_owned(), captures, &mut found);
            out.extend(found.into_iter().map(|m| (Arc::clone(source), m)));
        }
        out
    }
}

/// [`Policy::check`] as it was: each enabled rule's checks in order, each select check over
/// the matches of its own selector.
pub(super) fn check(policy: &Policy, sheet: &Sheet, input: &Input<'_>) -> Vec<Finding> {
    let docs = Documents::new(sheet);
    let mut out = Vec::new();
    for rule in &policy.rules {
        if rule.info.command != "check" || effective(Some(sheet), &rule.info).is_none() {
            continue;
        }
        for check in &rule.checks {
            match check {
                Check::Builtin(b) => builtin::run(*b, &rule.info, sheet, input, &mut out),
                Check::Select(sc) => {
                    let matches = docs.select(&sc.selector);
                    sc.run(&rule.info, &matches, sheet, &mut out);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::super::matcher::{self, Automata, Base, Home};
    use super::super::{core, pack};
    use super::*;
    use crate::sheet;
    use crate::sheet::yaml;

    fn input() -> Input<'static> {
        Input::new(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), None)
    }

    /// A pack with every assertion kind, `when`, literal and wildcard segments, list indices
    /// written three ways, escaped keys, the document itself, and records and incidents
    /// reached both through their lists and through literal paths.
    const PACK: &str = r#"pack: every-shape
rules:
  - id: t-root
    severity: info
    summary: s
    description: d
    select: ""
    assert:
      - count: events
        max: 2
      - present_any: [owners, systems]
  - id: t-purchase
    severity: error
    summary: s
    description: d
    checks:
      - select: /events/Purchase
        assert:
          - equals: parameters/value/required
            value: true
          - enum: owner
            values: [tracking, commerce, 7, null]
      - select: /events/{event}
        when:
          - present: server
        assert:
          - pattern: owner
            regex: "^[a-z]+$"
          - declared: rollback/pause
          - reference: triggers
            to: components
            message: "{event}: {field} names {value}"
  - id: t-params
    severity: warning
    summary: s
    description: d
    checks:
      - select: /events/*/parameters/{p}
        assert:
          - present: owner
          - schema:
              type: object
              properties:
                required: {type: boolean}
      - select: /events/Purchase/parameters/value
        assert:
          - equals: required
            value: true
  - id: t-records
    severity: error
    summary: s
    description: d
    checks:
      - select: /records/{r}
        when:
          - equals: result
            value: pass
        assert:
          - present: evidence
            message: "record {r} of {@retest} has no evidence"
      - select: /records/*
        assert:
          - pattern: events
            regex: "^[A-Z]"
      - select: /records/0
        assert:
          - present: notes
      - select: /records/00
        assert:
          - count: by
            min: 2
      - select: /records/+1
        assert:
          - present: notes
      - select: /records/*/events
        assert:
          - present: "0"
  - id: t-incidents
    severity: error
    summary: s
    description: d
    select: /incidents/{n}
    assert:
      - reference: events
        to: events
  - id: t-escaped
    severity: info
    summary: s
    description: d
    select: /events/a~1b/parameters/c~0d
    assert:
      - present: owner
"#;

    fn policies() -> Vec<Policy> {
        let pack = pack::parse("every-shape.yaml", PACK).unwrap();
        vec![
            core().clone(),
            Policy::with_packs(vec![(pack, "every-shape.yaml".into())]).unwrap(),
        ]
    }

    fn same(policy: &Policy, sheet: &Sheet, what: &str) {
        let want = format!("{:?}", check(policy, sheet, &input()));
        for threads in [1, 2] {
            let got = format!("{:?}", policy.check_on(sheet, &input(), threads));
            assert!(
                got == want,
                "{what} on {threads} thread(s): the compiled walk differs from the reference\ngot:  {got}\nwant: {want}"
            );
        }
    }

    fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let files = walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .filter(|e| !e.file_type().is_dir())
            .map(walkdir::DirEntry::into_path);
        out.extend(files.filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml")));
    }

    #[test]
    fn the_walk_finds_what_the_reference_finds_on_every_fixture_and_example() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["tests/fixtures", "tests/cases", "examples"] {
            yaml_files(&root.join(dir), &mut files);
        }
        let policies = policies();
        let mut sheets = 0;
        for file in &files {
            let bytes = std::fs::read(file).unwrap();
            let Some(sheet) = sheet::load("governance.yaml", bytes).sheet else {
                continue;
            };
            sheets += 1;
            for p in &policies {
                same(p, &sheet, &file.display().to_string());
            }
        }
        assert!(sheets > 50, "only {sheets} sheets loaded from {files:?}");
    }

    #[test]
    fn the_walk_finds_what_the_reference_finds_on_a_generated_sheet_and_other_files() {
        let mut text = String::from(
            "version: 1\nowners:\n  tracking: {name: T}\nsystems:\n  shop: {kind: order-system, owner: tracking}\ncomponents:\n  theme: {owner: tracking, paths: [\"theme/**\"], retests: [smoke]}\nretests:\n  smoke: {owner: tracking, method: m, max_age: 30d}\nevents:\n",
        );
        for i in 0..700 {
            let owner = ["tracking", "nobody", "Tracking", "[tracking]"][i % 4];
            let system = if i % 11 == 0 { "shpo" } else { "shop" };
            let name = if i == 5 {
                "Purchase".to_owned()
            } else {
                format!("E{i}")
            };
            text.push_str(&format!(
                "  {name}:\n    meaning: m\n    owner: {owner}\n    server: {{system: {system}, fires_on: x}}\n    triggers: [theme{}]\n    parameters:\n      value: {{source_of_truth: shop, owner: tracking, required: {}}}\n      currency: {{owner: tracking}}\n",
                if i % 9 == 0 { ", themes" } else { "" },
                i % 3 == 0
            ));
            if i % 13 != 0 {
                text.push_str("    rollback: {rule: r, pause: [budget], resume_when: w}\n");
            }
        }
        text.push_str("records:\n");
        for i in 0..300 {
            let result = ["pass", "fail", "not-needed"][i % 3];
            text.push_str(&format!(
                "  - {{retest: smoke, date: 2026-11-01, result: {result}, by: {}, events: [E1, e2]{}}}\n",
                if i % 5 == 0 { "nobody" } else { "tracking" },
                if i % 4 == 0 { ", evidence: e, notes: n" } else { "" }
            ));
        }
        text.push_str(
            "incidents:\n  - {id: a, events: [E1, Nope], status: open}\n  - {id: b, events: [Purchase]}\n",
        );
        let mut sheet = sheet::load("g.yaml", text.into_bytes()).sheet.unwrap();
        // Records from their own files: one the loader kept, one parsed when first needed.
        let kept = SourceFile::new(
            "records/kept.yaml",
            "retest: smoke\ndate: 2026-11-01\nresult: pass\nby: nobody\nevents: [x]\n",
        );
        let root = yaml::parse(&kept.text).unwrap();
        let (records, _) = sheet::build::build_records(&kept, &root);
        sheet.records.extend(records);
        sheet.file_roots.insert(kept.name.clone(), root);
        let other = SourceFile::new(
            "records/other.yaml",
            "retest: smoke\ndate: 2026-11-01\nresult: pass\nby: b\n",
        );
        let root = yaml::parse(&other.text).unwrap();
        let (records, _) = sheet::build::build_records(&other, &root);
        sheet.records.extend(records);
        for p in &policies() {
            same(p, &sheet, "the generated sheet");
        }
    }

    /// A tree's map keys: strings, quoted numbers, plain numbers and `null` (which are not
    /// strings), and keys that need escaping in a pointer.
    const KEYS: [&str; 12] = [
        "a", "b", "0", "\"0\"", "1", "\"00\"", "null", "\"x/y\"", "\"t~u\"", "events", "+1",
        "\"1\"",
    ];
    const SEGMENTS: [&str; 12] = [
        "a", "b", "0", "00", "+1", "1", "null", "x~1y", "t~0u", "events", "*", "{c}",
    ];

    fn tree() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("x".to_owned()),
            Just("1".to_owned()),
            Just("null".to_owned()),
            Just("[]".to_owned()),
        ];
        leaf.prop_recursive(4, 48, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5)
                    .prop_map(|items| format!("[{}]", items.join(", "))),
                prop::collection::vec((0..KEYS.len(), inner), 0..5).prop_map(|entries| {
                    let mut seen = Vec::new();
                    let body: Vec<String> = entries
                        .into_iter()
                        .filter(|(k, _)| {
                            let fresh = !seen.contains(k);
                            seen.push(*k);
                            fresh
                        })
                        .map(|(k, v)| format!("{}: {v}", KEYS[k]))
                        .collect();
                    format!("{{{}}}", body.join(", "))
                }),
            ]
        })
    }

    fn selector() -> impl Strategy<Value = String> {
        prop::collection::vec(0..SEGMENTS.len(), 0..4).prop_map(|segs| {
            segs.iter()
                .enumerate()
                .map(|(i, &s)| match SEGMENTS[s] {
                    "{c}" => format!("/{{c{i}}}"),
                    other => format!("/{other}"),
                })
                .collect()
        })
    }

    /// What identifies a match: pointer, captures, and the key and node it found.
    fn shape(m: &Match<'_>) -> String {
        format!(
            "{} {:?} {:?} {:?}",
            m.pointer,
            m.captures,
            m.key.map(|k| k.span),
            m.node.span
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Every selector compiled together matches exactly the nodes, in the same order, with
        /// the same pointers and captures, as the selector matched alone.
        #[test]
        fn compiled_selectors_match_what_each_selector_matches(
            doc in tree(),
            texts in prop::collection::vec(selector(), 1..8),
        ) {
            let Ok(root) = yaml::parse(&doc) else {
                return Ok(());
            };
            let selectors: Vec<Selector> =
                texts.iter().map(|t| Selector::parse(t).unwrap()).collect();
            let automata = Automata::compile(&selectors);
            let base = Base { pointer: "", item: None };
            let mut got: Vec<Vec<String>> = vec![Vec::new(); selectors.len()];
            let mut path = Vec::new();
            automata.root.walk(&root, None, &mut path, &mut |slot, steps, key, node| {
                got[slot].push(shape(&matcher::match_at(&selectors[slot], &base, steps, key, node)));
            });
            for (slot, s) in selectors.iter().enumerate() {
                let want: Vec<String> = if matcher::home(s).0 == Home::Root {
                    s.matches(&root).iter().map(shape).collect()
                } else {
                    Vec::new()
                };
                prop_assert_eq!(&got[slot], &want, "selector `{}` in {}", s.text, doc);
            }
        }
    }

    /// Selectors written so that determinising them together doubles the states with every
    /// segment (selector `i` names `a` at segment `i`, `*` elsewhere): they are walked one by
    /// one instead, with the same matches; the core pack stays one walk per document.
    #[test]
    fn selectors_that_would_blow_up_together_are_walked_one_by_one() {
        let depth = 40;
        let texts: Vec<String> = (0..depth)
            .map(|i| {
                (0..depth)
                    .map(|j| if i == j { "/a" } else { "/*" })
                    .collect()
            })
            .collect();
        let selectors: Vec<Selector> = texts.iter().map(|t| Selector::parse(t).unwrap()).collect();
        let automata = Automata::compile(&selectors);
        assert_eq!(automata.root.len(), depth);
        let mut doc = String::from("x");
        for level in 0..depth {
            let (on, off) = if level % 3 == 0 {
                ("b", "a")
            } else {
                ("a", "b")
            };
            doc = format!("{{{on}: {doc}, {off}: [{level}]}}");
        }
        let root = yaml::parse(&doc).unwrap();
        let base = Base {
            pointer: "",
            item: None,
        };
        let mut got: Vec<Vec<String>> = vec![Vec::new(); selectors.len()];
        automata.root.walk(
            &root,
            None,
            &mut Vec::new(),
            &mut |slot, steps, key, node| {
                got[slot].push(shape(&matcher::match_at(
                    &selectors[slot],
                    &base,
                    steps,
                    key,
                    node,
                )));
            },
        );
        for (slot, s) in selectors.iter().enumerate() {
            let want: Vec<String> = s.matches(&root).iter().map(shape).collect();
            assert_eq!(got[slot], want, "{}", s.text);
        }
        assert!(
            got.iter().any(|g| !g.is_empty()),
            "the tree has matches to compare"
        );
        let core = core();
        for walks in [
            &core.automata.root,
            &core.automata.records,
            &core.automata.incidents,
        ] {
            assert_eq!(walks.len(), 1);
        }
    }

    const FIELDS: [&str; 8] = [
        "owner",
        "server/system",
        "triggers",
        "events",
        "result",
        "parameters",
        "required",
        "0",
    ];
    const SELECTS: [&str; 10] = [
        "",
        "/events/{event}",
        "/events/*/parameters/{p}",
        "/events/Purchase",
        "/records/{r}",
        "/records/0",
        "/records/*/events",
        "/incidents/*",
        "/events/{e}/triggers/*",
        "/records",
    ];

    fn assertion(kind: usize, field: &str) -> String {
        match kind {
            0 => format!("- present: \"{field}\""),
            1 => format!("- declared: \"{field}\""),
            2 => format!("- present_any: [\"{field}\", meaning]"),
            3 => format!("- reference: \"{field}\"\n        to: owners"),
            4 => format!("- pattern: \"{field}\"\n        regex: \"^[a-z]+$\""),
            5 => format!("- enum: \"{field}\"\n        values: [pass, ana, true, 1]"),
            6 => format!("- count: \"{field}\"\n        min: 1\n        max: 2"),
            7 => format!("- equals: \"{field}\"\n        value: pass"),
            _ => format!("- schema: {{type: [object, string]}}\n        field: \"{field}\""),
        }
    }

    fn random_pack() -> impl Strategy<Value = String> {
        let check = (
            0..SELECTS.len(),
            prop::collection::vec((0..9usize, 0..FIELDS.len()), 0..2),
            prop::collection::vec((0..9usize, 0..FIELDS.len()), 1..3),
        );
        prop::collection::vec(check, 1..5).prop_map(|checks| {
            let mut pack = String::from("pack: random\nrules:\n");
            for (i, (sel, when, assert)) in checks.into_iter().enumerate() {
                pack.push_str(&format!(
                    "  - id: r{i}\n    severity: error\n    summary: s\n    description: d\n    select: \"{}\"\n",
                    SELECTS[sel]
                ));
                for (key, list) in [("when", when), ("assert", assert)] {
                    if list.is_empty() {
                        continue;
                    }
                    pack.push_str(&format!("    {key}:\n"));
                    for (kind, field) in list {
                        pack.push_str(&format!("      {}\n", assertion(kind, FIELDS[field])));
                    }
                }
            }
            pack
        })
    }

    fn random_sheet() -> impl Strategy<Value = String> {
        let value = prop_oneof![
            Just("ana"),
            Just("nobody"),
            Just("[ana, bob]"),
            Just("[]"),
            Just("\"\""),
            Just("pass"),
            Just("1"),
            Just("true"),
            Just("{system: ana}"),
        ];
        let fields = prop::collection::vec((0..FIELDS.len(), value), 0..5);
        let item = fields.prop_map(|fs| {
            let mut seen = Vec::new();
            let body: Vec<String> = fs
                .into_iter()
                .filter(|(k, _)| {
                    let fresh = !seen.contains(k) && FIELDS[*k] != "server/system";
                    seen.push(*k);
                    fresh
                })
                .map(|(k, v)| format!("\"{}\": {v}", FIELDS[k]))
                .collect();
            format!("{{{}}}", body.join(", "))
        });
        (
            prop::collection::vec(item.clone(), 0..4),
            prop::collection::vec(item.clone(), 0..3),
            prop::collection::vec(item, 0..2),
        )
            .prop_map(|(events, records, incidents)| {
                let mut s = String::from("version: 1\nowners: {ana: {name: A}}\nevents:\n");
                for (i, e) in events.iter().enumerate() {
                    let name = if i == 0 {
                        "Purchase".to_owned()
                    } else {
                        format!("E{i}")
                    };
                    s.push_str(&format!("  {name}: {e}\n"));
                }
                s.push_str(&format!("records: [{}]\n", records.join(", ")));
                s.push_str(&format!("incidents: [{}]\n", incidents.join(", ")));
                s
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Random packs over random sheets: the same findings in the same order.
        #[test]
        fn random_packs_find_the_same_on_random_sheets(
            pack_text in random_pack(),
            sheet_text in random_sheet(),
        ) {
            let pack = pack::parse("random.yaml", &pack_text)
                .unwrap_or_else(|e| panic!("{e}\n{pack_text}"));
            let policy = Policy::with_packs(vec![(pack, "random.yaml".into())]).unwrap();
            let Some(sheet) = sheet::load("g.yaml", sheet_text.clone().into_bytes()).sheet else {
                return Ok(());
            };
            let want = format!("{:?}", check(&policy, &sheet, &input()));
            let got = format!("{:?}", policy.check_on(&sheet, &input(), 1));
            prop_assert!(got == want, "pack:\n{}\nsheet:\n{}", pack_text, sheet_text);
        }
    }
}
