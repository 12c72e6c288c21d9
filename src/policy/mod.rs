//! The policy engine: rules as data in packs (`policies/*.yaml`, embedded, plus a team's own),
//! the registry every command lists and explains rules from, running the enabled rules over a
//! sheet, and applying `policy.rules` and waivers. Pure: packs and files come from the CLI.

pub mod builtin;
pub mod docs;
pub mod pack;
pub mod rule;
pub mod select;
pub mod template;
mod waiver;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;

pub use builtin::Input;
pub use pack::{Pack, PackError};
pub use rule::RuleInfo;
use rule::{Check, Rule};
use select::Match;

use crate::finding::{Finding, Severity};
use crate::sheet::Sheet;
use crate::sheet::source::SourceFile;
use crate::sheet::yaml::{self, Node};

/// The packs compiled into the binary: (file name, text). Adding a pack is one line here.
pub const EMBEDDED: &[(&str, &str)] = &[(
    "policies/core.yaml",
    include_str!("../../policies/core.yaml"),
)];

/// A set of compiled rules: the embedded packs, plus a team's packs.
#[derive(Debug, Clone)]
pub struct Policy {
    rules: Vec<Arc<Rule>>,
    index: HashMap<String, usize>,
}

/// The embedded rules, parsed once.
pub fn core() -> &'static Policy {
    static CORE: OnceLock<Policy> = OnceLock::new();
    CORE.get_or_init(|| {
        let mut policy = Policy {
            rules: Vec::new(),
            index: HashMap::new(),
        };
        for (name, text) in EMBEDDED {
            // The embedded packs are part of the binary and covered by tests: failing here is a
            // build bug, not a user error.
            let pack = pack::parse(name, text).unwrap_or_else(|e| panic!("embedded pack: {e}"));
            policy
                .add(pack, name)
                .unwrap_or_else(|e| panic!("embedded pack: {e}"));
        }
        policy
    })
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
    let configured = sheet.and_then(|s| {
        s.policy
            .rules
            .iter()
            .rev()
            .find(|(id, _)| id.value == info.id)
            .map(|(_, v)| v.value.as_str())
    });
    match configured {
        Some("off") => None,
        Some(s) => Some(Severity::parse(s).unwrap_or(info.severity)),
        None => Some(info.severity),
    }
}

impl Policy {
    /// The embedded rules plus team packs. A rule id declared twice is a pack error.
    pub fn with_packs(packs: Vec<(Pack, String)>) -> Result<Policy, PackError> {
        let mut p = core().clone();
        for (pack, file) in packs {
            p.add(pack, &file)?;
        }
        Ok(p)
    }

    fn add(&mut self, pack: Pack, file: &str) -> Result<(), PackError> {
        for rule in pack.rules {
            if let Some(&i) = self.index.get(&rule.info.id) {
                return Err(PackError {
                    file: file.to_string(),
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
        Ok(())
    }

    pub fn rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter().map(|r| &r.info)
    }

    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.index.get(id).map(|&i| &self.rules[i].info)
    }

    /// Rules whose findings `govsheet check` makes (directly or while loading).
    pub fn runs_in_check(&self, id: &str) -> bool {
        self.rule(id).is_some_and(|r| r.command == "check")
    }

    /// Whether `component-matches-nothing` needs the repository's files for this sheet.
    pub fn needs_files(&self, sheet: &Sheet) -> bool {
        !sheet.components.is_empty()
            && self.rules.iter().any(|r| {
                r.info.command == "check"
                    && effective(Some(sheet), &r.info).is_some()
                    && r.checks.iter().any(|c| {
                        matches!(c, Check::Builtin(builtin::Builtin::ComponentMatchesNothing))
                    })
            })
    }

    /// Run every enabled `check` rule over a sheet. Findings carry the rules' default
    /// severities; [`Policy::finalize`] applies the sheet's configuration and waivers.
    pub fn check(&self, sheet: &Sheet, input: &Input<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        let mut docs = Documents::new(sheet);
        for rule in &self.rules {
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
}

/// The documents selectors run over: the sheet's tree, and the record and incident files
/// (`records_dir`, `incidents_dir`) whose items join `/records/*` and `/incidents/*`.
struct Documents<'s> {
    sheet: &'s Sheet,
    /// Parsed trees of the other files, by file name.
    others: HashMap<String, Node>,
}

impl<'s> Documents<'s> {
    fn new(sheet: &'s Sheet) -> Self {
        let mut others = HashMap::new();
        let files = sheet
            .records
            .iter()
            .map(|r| &r.source)
            .chain(sheet.incidents.iter().map(|i| &i.source));
        for src in files {
            if Arc::ptr_eq(src, &sheet.source) || others.contains_key(&src.name) {
                continue;
            }
            if let Ok(root) = yaml::parse(&src.text) {
                others.insert(src.name.clone(), root);
            }
        }
        Documents { sheet, others }
    }

    fn select<'a>(&'a mut self, selector: &select::Selector) -> Vec<(Arc<SourceFile>, Match<'a>)> {
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
            .map(str::to_string);
        let mut out = Vec::new();
        for (i, (source, pointer)) in items.into_iter().enumerate() {
            let root = if Arc::ptr_eq(source, &sheet.source) {
                &sheet.root
            } else {
                match self.others.get(&source.name) {
                    Some(r) => r,
                    None => continue,
                }
            };
            let Some((key, node)) = root.walk(pointer) else {
                continue;
            };
            let captures = capture.iter().map(|c| (c.clone(), i.to_string())).collect();
            let mut found = Vec::new();
            selector.match_from(2, node, key, pointer.to_string(), captures, &mut found);
            out.extend(found.into_iter().map(|m| (Arc::clone(source), m)));
        }
        out
    }
}
