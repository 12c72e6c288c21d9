//! The policy engine: rules as data in packs (`policies/*.yaml`, embedded, plus a team's own),
//! the registry every command lists and explains rules from, running the enabled rules over a
//! sheet, and applying `policy.rules` and waivers. Pure: packs and files come from the CLI.

pub mod builtin;
pub mod docs;
pub mod examples;
pub mod info;
mod matcher;
pub mod pack;
#[cfg(test)]
mod prebuild;
#[cfg(test)]
mod registry_tests;
pub mod rule;
pub mod select;
pub mod template;
pub mod verify_rules;
mod waiver;

pub use waiver::{Config, Overrides};

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;

pub use builtin::Input;
pub use info::RuleInfo;
pub use pack::{Pack, PackError};
use rule::{Check, Rule};

use crate::finding::{Finding, Severity};
use crate::sheet::Sheet;
use crate::sheet::yaml::{self, Node};
use crate::source::SourceFile;

/// The packs compiled into the binary: (file name, text). Adding a pack is one line here.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "policies/core.yaml",
        include_str!("../../policies/core.yaml"),
    ),
    (
        "policies/verify.yaml",
        include_str!("../../policies/verify.yaml"),
    ),
];

/// A set of compiled rules: the embedded packs, plus a team's packs.
#[derive(Debug, Clone)]
pub struct Policy {
    rules: Vec<Arc<Rule>>,
    index: HashMap<String, usize>,
    /// Every select check as (rule, check) positions, by slot of [`Policy::automata`].
    selects: Vec<(usize, usize)>,
    /// The selectors of every rule, compiled together ([`Policy::compile`]).
    automata: matcher::Automata,
    /// The packs' whole-sheet cases (`tests:`), for `govsheet test`.
    tests: Vec<pack::SheetTest>,
}

/// Sheets with fewer events and records than this are checked on one thread: below it, starting
/// threads costs more than the rules.
const PARALLEL_FROM: usize = 500;

/// The embedded rules, parsed once.
pub fn core() -> &'static Policy {
    static CORE: OnceLock<Policy> = OnceLock::new();
    CORE.get_or_init(|| {
        let mut policy = Policy {
            rules: Vec::new(),
            index: HashMap::new(),
            selects: Vec::new(),
            automata: matcher::Automata::default(),
            tests: Vec::new(),
        };
        for (pack, name) in embedded() {
            // The embedded packs are part of the binary and covered by tests: failing here is a
            // build bug, not a user error.
            policy
                .add(pack, name)
                .unwrap_or_else(|e| panic!("embedded pack: {e}"));
        }
        policy.compile();
        policy
    })
}

/// The embedded packs, parsed: built by `prebuilt.rs`, which holds what parsing them gave when
/// the crate was last tested, so that start-up neither parses their YAML nor checks them.
/// Written by the test `the_prebuilt_packs_are_the_parsed_packs` (`GOVSHEET_BLESS=1`), which
/// fails while it is out of date; `build.rs` leaves it out (`govsheet_stale_packs`) when what
/// it is written from (the packs, the code that reads them, `Cargo.lock`: `PACKS_PREBUILT`)
/// changed since, or it was edited or deleted, and the packs are then parsed here as before.
#[cfg(not(govsheet_stale_packs))]
fn embedded() -> Vec<(Pack, &'static str)> {
    prebuilt::packs()
}

/// The embedded packs, parsed (`prebuilt.rs` is stale: see the other `embedded`).
#[cfg(govsheet_stale_packs)]
fn embedded() -> Vec<(Pack, &'static str)> {
    EMBEDDED
        .iter()
        .map(|(name, text)| {
            let pack =
                pack::parse_embedded(name, text).unwrap_or_else(|e| panic!("embedded pack: {e}"));
            (pack, *name)
        })
        .collect()
}

#[cfg(not(govsheet_stale_packs))]
mod prebuilt {
    include!("prebuilt.rs");
}

/// Every rule of the embedded packs, in pack order.
pub fn registry() -> Vec<&'static RuleInfo> {
    core().rules().collect()
}

/// Apply `policy.rules` and waivers with the embedded rules (see [`Policy::finalize`]).
pub fn finalize(
    sheet: &Sheet,
    findings: Vec<Finding>,
    today: NaiveDate,
    ran: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    core().finalize(sheet, findings, today, ran)
}

/// The severity a sheet gives a rule: `None` when it turns the rule off.
pub fn effective(sheet: Option<&Sheet>, info: &RuleInfo) -> Option<Severity> {
    effective_in(sheet.map_or(&[], |s| s.policy.rules.as_slice()), info)
}

/// The severity `policy.rules` entries give a rule: `None` when they turn it off (see
/// [`Overrides`], the one place overrides are applied).
pub fn effective_in(
    rules: &[(crate::sheet::model::Text, crate::sheet::model::Text)],
    info: &RuleInfo,
) -> Option<Severity> {
    Overrides::of(rules).severity(&info.id, info.severity)
}

impl Policy {
    /// The embedded rules plus team packs. A rule id declared twice is a pack error.
    pub fn with_packs(packs: Vec<(Pack, String)>) -> Result<Policy, PackError> {
        let mut p = core().clone();
        for (pack, file) in packs {
            p.add(pack, &file)?;
        }
        p.compile();
        Ok(p)
    }

    /// Compile the selectors of every rule into one set of automata (after the packs are
    /// added): `check` then walks each document once for all of them.
    fn compile(&mut self) {
        let mut selects = Vec::new();
        let mut selectors = Vec::new();
        for (r, rule) in self.rules.iter().enumerate() {
            for (c, check) in rule.checks.iter().enumerate() {
                if let Check::Select(sc) = check {
                    selects.push((r, c));
                    selectors.push(&sc.selector);
                }
            }
        }
        self.automata = matcher::Automata::compile(selectors);
        self.selects = selects;
    }

    fn add(&mut self, pack: Pack, file: &str) -> Result<(), PackError> {
        for rule in pack.rules {
            if let Some(&i) = self.index.get(&rule.info.id) {
                return Err(PackError {
                    file: file.to_owned(),
                    line: 1,
                    column: 1,
                    message: format!(
                        "rule `{}` is already declared by pack `{}`; give it another id",
                        rule.info.id, self.rules[i].info.pack
                    ),
                });
            }
            self.index.insert(rule.info.id.clone(), self.rules.len());
            self.rules.push(Arc::new(rule));
        }
        self.tests.extend(pack.tests);
        Ok(())
    }

    pub fn rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter().map(|r| &r.info)
    }

    /// The whole-sheet cases of every pack (`tests:`), in pack order.
    pub fn sheet_tests(&self) -> &[pack::SheetTest] {
        &self.tests
    }

    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.index.get(id).map(|&i| &self.rules[i].info)
    }

    /// Rules whose findings `govsheet check` makes (directly or while loading).
    pub fn runs_in_check(&self, id: &str) -> bool {
        self.rule(id).is_some_and(|r| r.command == "check")
    }

    /// Whether rule `id` has a check that reads the repository's files.
    pub fn reads_files(&self, id: &str) -> bool {
        self.index.get(id).is_some_and(|&i| {
            self.rules[i]
                .checks
                .iter()
                .any(|c| matches!(c, Check::Builtin(b) if b.needs() == builtin::Needs::Files))
        })
    }

    /// Whether `component-matches-nothing` needs the repository's files for this sheet.
    pub fn needs_files(&self, sheet: &Sheet) -> bool {
        !sheet.components.is_empty()
            && self.rules.iter().any(|r| {
                r.info.command == "check"
                    && effective(Some(sheet), &r.info).is_some()
                    && r.checks.iter().any(
                        |c| matches!(c, Check::Builtin(b) if b.needs() == builtin::Needs::Files),
                    )
            })
    }

    /// Run every enabled `check` rule over a sheet. Findings carry the rules' default
    /// severities; [`Policy::finalize`] applies the sheet's configuration and waivers.
    pub fn check(&self, sheet: &Sheet, input: &Input<'_>) -> Vec<Finding> {
        // Asking for the cores reads cgroup files (about 0.1 ms): only for a sheet that uses them.
        let threads = if sheet.events.len() + sheet.records.len() < PARALLEL_FROM {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        };
        self.check_on(sheet, input, threads)
    }

    /// [`Policy::check`] on `threads` threads.
    fn check_on(&self, sheet: &Sheet, input: &Input<'_>, threads: usize) -> Vec<Finding> {
        let enabled: Vec<bool> = self
            .rules
            .iter()
            .map(|r| r.info.command == "check" && effective(Some(sheet), &r.info).is_some())
            .collect();
        let docs = Documents::new(sheet);
        // The built-in checks of enabled rules, in rule and check order.
        let builtins: Vec<(&RuleInfo, builtin::Builtin)> = self
            .rules
            .iter()
            .zip(&enabled)
            .filter(|(_, on)| **on)
            .flat_map(|(r, _)| {
                r.checks.iter().filter_map(|c| match c {
                    Check::Builtin(b) => Some((&r.info, *b)),
                    Check::Select(_) => None,
                })
            })
            .collect();
        let run = |(info, b): &(&RuleInfo, builtin::Builtin)| {
            let mut out = Vec::new();
            builtin::run(*b, info, sheet, input, &mut out);
            out
        };
        let (mut selected, mut built): (Vec<Vec<Finding>>, Vec<Vec<Finding>>) = if threads < 2 {
            (
                docs.select_all(self, &enabled),
                builtins.iter().map(run).collect(),
            )
        } else {
            // This thread walks the documents for every select check while the others take
            // the built-ins one at a time, then it takes what built-ins are left too; the
            // findings go back in rule order below, so the output is the same as on one thread.
            let next = std::sync::atomic::AtomicUsize::new(0);
            let take = || {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(job) = builtins.get(i) else { break };
                    mine.push((i, run(job)));
                }
                mine
            };
            std::thread::scope(|scope| {
                let workers: Vec<_> = (1..threads).map(|_| scope.spawn(take)).collect();
                let selected = docs.select_all(self, &enabled);
                let mut done: Vec<(usize, Vec<Finding>)> = take();
                done.extend(
                    workers
                        .into_iter()
                        .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
                );
                done.sort_by_key(|(i, _)| *i);
                (selected, done.into_iter().map(|(_, f)| f).collect())
            })
        };
        // Rule order, then check order, as each rule on its own would give them.
        let mut out = Vec::new();
        let (mut slot, mut job) = (0, 0);
        for (rule, on) in self.rules.iter().zip(&enabled) {
            for check in &rule.checks {
                match check {
                    Check::Select(_) => {
                        out.append(&mut selected[slot]);
                        slot += 1;
                    }
                    Check::Builtin(_) if *on => {
                        out.append(&mut built[job]);
                        job += 1;
                    }
                    Check::Builtin(_) => {}
                }
            }
        }
        out
    }

    /// Apply the sheet's `policy.rules` (severity, `off`) and its waivers to findings, and add
    /// the findings about the configuration itself (`unknown-rule`, `waiver-expired`,
    /// `waiver-unused`, `waiver-expiring`). `ran` says which rules produced `findings`: only
    /// their waivers can be unused or expired here.
    pub fn finalize(
        &self,
        sheet: &Sheet,
        findings: Vec<Finding>,
        today: NaiveDate,
        ran: &dyn Fn(&str) -> bool,
    ) -> Vec<Finding> {
        waiver::finalize(self, sheet, findings, today, ran)
    }

    /// Every finding `check` reports for a loaded sheet: the loader's `findings`, every
    /// enabled `check` rule, the sheet's configuration and waivers, then one finding per
    /// mistake ([`crate::finding::fold`]). `check`, `doc` and `govsheet test` all judge so.
    pub fn judge(
        &self,
        sheet: &Sheet,
        mut findings: Vec<Finding>,
        input: &Input<'_>,
    ) -> Vec<Finding> {
        findings.extend(self.check(sheet, input));
        let findings = self.finalize(sheet, findings, input.today, &|id| self.runs_in_check(id));
        crate::finding::fold(findings)
    }

    /// [`Policy::finalize`] with rules and waivers other than the sheet's own (a commit
    /// range's findings, judged by both of its sheets).
    pub fn finalize_with(
        &self,
        config: &Config<'_>,
        findings: Vec<Finding>,
        today: NaiveDate,
        ran: &dyn Fn(&str) -> bool,
    ) -> Vec<Finding> {
        waiver::finalize_with(self, config, findings, today, ran)
    }
}

/// The documents selectors run over: the sheet's tree, and the record and incident files
/// (`records_dir`, `incidents_dir`) whose items join `/records/*` and `/incidents/*`.
struct Documents<'s> {
    sheet: &'s Sheet,
    /// Parsed trees of the other files the loader did not keep (`Sheet::file_roots`), by file
    /// name, parsed when a selector first needs them.
    others: OnceLock<HashMap<String, Node>>,
}

impl<'s> Documents<'s> {
    fn new(sheet: &'s Sheet) -> Self {
        Documents {
            sheet,
            others: OnceLock::new(),
        }
    }

    fn others(&self) -> &HashMap<String, Node> {
        self.others.get_or_init(|| {
            let sheet = self.sheet;
            let mut others = HashMap::new();
            let files = sheet
                .records
                .iter()
                .map(|r| &r.source)
                .chain(sheet.incidents.iter().map(|i| &i.source));
            for src in files {
                if Arc::ptr_eq(src, &sheet.source)
                    || sheet.file_roots.contains_key(&src.name)
                    || others.contains_key(&src.name)
                {
                    continue;
                }
                if let Ok(root) = yaml::parse(&src.text) {
                    others.insert(src.name.clone(), root);
                }
            }
            others
        })
    }

    /// Every enabled select check of `policy` over every document, each document walked once;
    /// findings by slot, each slot's in document order (as [`select::Selector::matches`]
    /// orders its matches).
    fn select_all(&self, policy: &Policy, enabled: &[bool]) -> Vec<Vec<Finding>> {
        let sheet = self.sheet;
        let checks: Vec<Option<(&RuleInfo, &rule::SelectCheck)>> = policy
            .selects
            .iter()
            .map(|&(r, c)| {
                let rule = &policy.rules[r];
                match &rule.checks[c] {
                    Check::Select(sc) if enabled[r] => Some((&rule.info, sc)),
                    _ => None,
                }
            })
            .collect();
        let mut out: Vec<Vec<Finding>> = checks.iter().map(|_| Vec::new()).collect();
        let mut path = Vec::new();
        let mut on = |source: &Arc<SourceFile>,
                      base: &matcher::Base<'_>,
                      slot: matcher::Slot,
                      path: &[matcher::Step<'_>],
                      key: Option<&Node>,
                      node: &Node| {
            let Some((info, check)) = checks[slot] else {
                return;
            };
            if check.passes(node, sheet) {
                return;
            }
            let m = matcher::match_at(&check.selector, base, path, key, node);
            check.run_one(info, source, &m, sheet, &mut out[slot]);
        };
        let root = matcher::Base {
            pointer: "",
            item: None,
        };
        policy.automata.root.walk(
            &sheet.root,
            None,
            &mut path,
            &mut |slot, steps, key, node| on(&sheet.source, &root, slot, steps, key, node),
        );
        let lists = [
            (
                &policy.automata.records,
                matcher::Home::Records,
                sheet
                    .records
                    .iter()
                    .map(|r| (&r.source, r.pointer.as_str()))
                    .collect::<Vec<_>>(),
            ),
            (
                &policy.automata.incidents,
                matcher::Home::Incidents,
                sheet
                    .incidents
                    .iter()
                    .map(|i| (&i.source, i.pointer.as_str()))
                    .collect(),
            ),
        ];
        for (automaton, home, items) in lists {
            let wanted = checks
                .iter()
                .any(|c| c.is_some_and(|(_, sc)| matcher::home(&sc.selector).0 == home));
            if automaton.is_empty() || !wanted {
                continue;
            }
            for (i, (source, pointer)) in items.into_iter().enumerate() {
                let Some(root) = self.root_of(source) else {
                    continue;
                };
                let Some((key, node)) = root.walk(pointer) else {
                    continue;
                };
                let base = matcher::Base {
                    pointer,
                    item: Some(i),
                };
                automaton.walk(node, key, &mut path, &mut |slot, steps, k, n| {
                    on(source, &base, slot, steps, k, n);
                });
            }
        }
        out
    }

    /// The tree of the file a record or incident is in.
    fn root_of(&self, source: &Arc<SourceFile>) -> Option<&Node> {
        let sheet = self.sheet;
        if Arc::ptr_eq(source, &sheet.source) {
            Some(&sheet.root)
        } else {
            sheet
                .file_roots
                .get(&source.name)
                .or_else(|| self.others().get(&source.name))
        }
    }
}

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet;

    #[test]
    fn rules_on_several_threads_find_what_one_thread_finds_in_the_same_order() {
        let mut text = String::from(
            "version: 1\nowners:\n  ana: {name: Ana}\nsystems:\n  shop: {kind: order-system, owner: ana}\ncomponents:\n  theme: {owner: ana, paths: [\"theme/**\"], retests: [smoke]}\nretests:\n  smoke: {owner: ana, method: m, max_age: 30d}\nevents:\n",
        );
        for i in 0..600 {
            let owner = if i % 7 == 0 { "nobody" } else { "ana" };
            let system = if i % 11 == 0 { "shopp" } else { "shop" };
            text.push_str(&format!(
                "  E{i}:\n    meaning: m\n    owner: {owner}\n    server: {{system: {system}, fires_on: x}}\n    triggers: [theme]\n    retests: [smoke]\n"
            ));
            if i % 13 != 0 {
                text.push_str("    rollback: {rule: r, pause: [budget], resume_when: w}\n");
            }
        }
        let loaded = sheet::load("g.yaml", text.into_bytes());
        let sheet = loaded.sheet.unwrap();
        let input = Input::new(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), None);
        let one = format!("{:?}", core().check_on(&sheet, &input, 1));
        assert!(
            one.matches("nobody").count() >= 80,
            "the sheet has findings to compare"
        );
        for threads in [2, 3, 8] {
            assert_eq!(
                format!("{:?}", core().check_on(&sheet, &input, threads)),
                one
            );
        }
    }

    const PACK: &str = r#"pack: kinds
rules:
  - id: k-pattern
    severity: error
    summary: s
    description: d
    select: /retests/{retest}
    assert:
      - pattern: max_age
        regex: "^[0-9]+d$"
  - id: k-enum
    severity: warning
    summary: s
    description: d
    select: /systems/{system}
    assert:
      - enum: kind
        values: [order-system, browser, server]
        message: "system {system} is {value}, not one of {expected}"
  - id: k-count
    severity: info
    summary: s
    description: d
    select: /events/{event}
    assert:
      - count: triggers
        min: 2
  - id: k-schema
    severity: error
    summary: s
    description: d
    select: /events/{event}/parameters/{parameter}
    assert:
      - schema:
          required: [note]
          properties:
            note: {type: string, minLength: 5}
  - id: k-when
    severity: error
    summary: s
    description: d
    select: /records/*
    when:
      - equals: result
        value: not-needed
    assert:
      - present: notes
        message: "a not-needed record of {@retest} has no notes"
"#;

    fn run(text: &str) -> Vec<Finding> {
        let pack = pack::parse("kinds.yaml", PACK).unwrap();
        let policy = Policy::with_packs(vec![(pack, "kinds.yaml".into())]).unwrap();
        let loaded = sheet::load("g.yaml", text.as_bytes().to_vec());
        let s = loaded.sheet.unwrap();
        let input = Input::new(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), None);
        policy
            .check(&s, &input)
            .into_iter()
            .filter(|f| f.rule.starts_with("k-"))
            .collect()
    }

    #[test]
    fn every_assertion_kind_finds_and_passes() {
        let f = run(r#"version: 1
systems:
  shop: {kind: order-system}
  crm: {kind: other}
events:
  Lead:
    triggers: [a]
    parameters:
      value: {note: "ok, long enough"}
      currency: {note: "x"}
      email: {}
  Purchase:
    triggers: [a, b]
retests:
  r1: {max_age: 2w}
  r2: {max_age: 30d}
records:
  - {retest: r1, result: not-needed}
  - {retest: r2, result: not-needed, notes: copy change only}
  - {retest: r2, result: pass}
"#);
        let got: Vec<(String, String, String)> = f
            .iter()
            .map(|f| (f.rule.clone(), f.pointer.clone(), f.message.clone()))
            .collect();
        let has = |rule: &str, pointer: &str| got.iter().any(|g| g.0 == rule && g.1 == pointer);
        assert!(has("k-pattern", "/retests/r1/max_age"), "{got:?}");
        assert!(!has("k-pattern", "/retests/r2/max_age"));
        assert!(got.iter().any(|g| g.0 == "k-enum"
            && g.1 == "/systems/crm/kind"
            && g.2 == "system crm is `other`, not one of `order-system`, `browser`, `server`"));
        assert_eq!(got.iter().filter(|g| g.0 == "k-enum").count(), 1);
        assert!(has("k-count", "/events/Lead/triggers"));
        assert!(!has("k-count", "/events/Purchase/triggers"));
        assert!(
            has("k-schema", "/events/Lead/parameters/currency/note"),
            "{got:?}"
        );
        assert!(has("k-schema", "/events/Lead/parameters/email"), "{got:?}");
        assert!(!has("k-schema", "/events/Lead/parameters/value"));
        let when: Vec<_> = got.iter().filter(|g| g.0 == "k-when").collect();
        assert_eq!(when.len(), 1, "{got:?}");
        assert_eq!(when[0].1, "/records/0");
        assert_eq!(when[0].2, "a not-needed record of r1 has no notes");
        let sev = f.iter().find(|f| f.rule == "k-count").unwrap().severity;
        assert_eq!(sev, Severity::Info);
    }

    #[test]
    fn bad_assertions_are_pack_errors_with_lines() {
        let bad = PACK.replace("regex: \"^[0-9]+d$\"", "regex: \"([\"");
        let e = pack::parse("kinds.yaml", &bad).unwrap_err();
        assert_eq!(e.line, 10, "{e}");
        assert!(e.message.contains("does not compile"), "{e}");
        let bad = PACK.replace("count: triggers\n        min: 2", "count: triggers");
        let e = pack::parse("kinds.yaml", &bad).unwrap_err();
        assert!(e.message.contains("`count` needs `min`"), "{e}");
        let bad = PACK.replace("minLength: 5", "minLength: -1");
        assert!(
            pack::parse("kinds.yaml", &bad)
                .unwrap_err()
                .message
                .contains("JSON Schema")
        );
        // A reference without `to`.
        let bad = PACK.replace("- enum: kind", "- reference: kind");
        assert!(
            pack::parse("kinds.yaml", &bad)
                .unwrap_err()
                .message
                .contains("needs `to`")
        );
    }

    #[test]
    fn records_from_other_files_are_selected_too() {
        let loaded = sheet::load(
            "g.yaml",
            b"version: 1\nowners: {a: {name: A}}\nretests: {r: {owner: a, method: m}}\n".to_vec(),
        );
        let mut s = loaded.sheet.unwrap();
        let src = SourceFile::new(
            "records/x.yaml",
            "retest: r\ndate: 2026-11-01\nresult: pass\nby: b\n",
        );
        let root = yaml::parse(&src.text).unwrap();
        let (records, _) = sheet::build::build_records(&src, &root);
        s.records.extend(records);
        let input = Input::new(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), None);
        let f: Vec<_> = core()
            .check(&s, &input)
            .into_iter()
            .filter(|f| f.rule == "unknown-reference")
            .collect();
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].file, "records/x.yaml");
        assert_eq!(f[0].pointer, "/by");
        assert_eq!((f[0].line(), f[0].column()), (Some(4), Some(5)));
        assert_eq!(
            f[0].help.as_deref(),
            Some("declare `b` under `owners`, or name one of `a`")
        );
    }

    fn core_findings(text: &str, rule: &str) -> Vec<Finding> {
        let loaded = sheet::load("g.yaml", text.as_bytes().to_vec());
        let s = loaded.sheet.unwrap();
        let input = Input::new(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), None);
        core()
            .check(&s, &input)
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect()
    }

    #[test]
    fn every_kind_of_reference_is_checked_at_the_reference() {
        let f = core_findings(
            r#"version: 1
owners: {ops: {name: O}}
systems:
  shop: {kind: order-system, owner: opz}
components:
  theme: {owner: opz, paths: [a], depends_on: [themes], retests: [purchase-dedup]}
retests:
  purchase-dedupe: {owner: opz, method: m, events: [Purchas]}
events:
  Purchase:
    owner: opz
    browser: {system: shpo}
    server: {system: shpo}
    event_id: {logic: l, generated_by: shpo}
    parameters:
      value: {source_of_truth: shpo, owner: opz}
    triggers: [themes]
    retests: [purchase-dedup]
    rollback: {pause: [budgt]}
records:
  - {retest: purchase-dedup, by: opz, events: [Purchas], date: 2026-11-01}
incidents:
  - {id: i, owner: opz, events: [Purchas], suspected_change: themes, paused: [budgt], route: purchase-spik}
router:
  purchase-spike: {owner: opz, events: [Purchas], pause: [budgt], detect: [order-reconciliaton]}
reviews:
  - {cadence: weekly, owner: opz}
waivers:
  - {rule: event-owner, approved_by: opz, expires: 2026-12-01}
"#,
            "unknown-reference",
        );
        let mut ptrs: Vec<&str> = f.iter().map(|f| f.pointer.as_str()).collect();
        ptrs.sort_unstable();
        let mut want = vec![
            "/systems/shop/owner",
            "/components/theme/owner",
            "/components/theme/depends_on/0",
            "/components/theme/retests/0",
            "/retests/purchase-dedupe/owner",
            "/retests/purchase-dedupe/events/0",
            "/events/Purchase/owner",
            "/events/Purchase/browser/system",
            "/events/Purchase/server/system",
            "/events/Purchase/event_id/generated_by",
            "/events/Purchase/parameters/value/source_of_truth",
            "/events/Purchase/parameters/value/owner",
            "/events/Purchase/triggers/0",
            "/events/Purchase/retests/0",
            "/events/Purchase/rollback/pause/0",
            "/records/0/retest",
            "/records/0/by",
            "/records/0/events/0",
            "/incidents/0/owner",
            "/incidents/0/events/0",
            "/incidents/0/suspected_change",
            "/incidents/0/paused/0",
            "/incidents/0/route",
            "/router/purchase-spike/owner",
            "/router/purchase-spike/events/0",
            "/router/purchase-spike/pause/0",
            "/router/purchase-spike/detect/0",
            "/reviews/0/owner",
            "/waivers/0/approved_by",
        ];
        want.sort_unstable();
        assert_eq!(ptrs, want);
        for f in &f {
            let h = f.help.as_deref().unwrap_or_default();
            assert!(h.starts_with("did you mean `"), "{}: {h}", f.pointer);
            let span = f.span.unwrap();
            let text = &f.source.as_ref().unwrap().text[span.start..span.end()];
            assert!(
                [
                    "opz",
                    "shpo",
                    "themes",
                    "purchase-dedup",
                    "Purchas",
                    "budgt",
                    "purchase-spik",
                    "order-reconciliaton"
                ]
                .contains(&text),
                "{} points at `{text}`",
                f.pointer
            );
        }
    }

    #[test]
    fn an_open_incident_pauses_what_its_route_pauses() {
        let f = core_findings(
            "version: 1\nrouter:\n  spike: {first_action: sample 10 orders, pause: [budget, roas]}\nincidents:\n  - {id: a, events: [Purchase], route: spike, status: open}\n  - {id: b, events: [Purchase], route: spike, paused: [product-sets]}\n",
            "incident-open",
        );
        assert_eq!(f.len(), 2);
        assert_eq!(
            f[0].message,
            "incident `a` is open: events `Purchase` are stopped and conclusions `budget`, `roas` are paused (from route `spike`)"
        );
        assert!(
            f[0].help
                .as_deref()
                .is_some_and(|h| h.starts_with("first action: sample 10 orders; ")),
            "{:?}",
            f[0].help
        );
        assert_eq!(
            f[1].message,
            "incident `b` is open: events `Purchase` are stopped and conclusions `product-sets` are paused"
        );
    }

    #[test]
    fn cycles_are_named_in_order_once_each() {
        let f = core_findings(
            "version: 1\ncomponents:\n  z: {paths: [a], depends_on: [m]}\n  m: {paths: [a], depends_on: [a]}\n  a: {paths: [a], depends_on: [z, a]}\n  solo: {paths: [a], depends_on: [solo]}\n  ok: {paths: [a], depends_on: [z]}\n",
            "dependency-cycle",
        );
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "components depend on each other in a cycle: z -> m -> a -> z",
                "components depend on each other in a cycle: solo -> solo",
            ]
        );
        assert_eq!(f[0].pointer, "/components/z/depends_on/0");
        assert_eq!(f[0].labels.len(), 2);
    }
}
