//! Policy packs: a YAML file of rules, read with the project's span-tree loader so that every
//! problem in a pack is reported with the pack file, line and column. Pure: the CLI reads files.

use std::fmt;
use std::sync::Arc;

use super::builtin::{self, Builtin};
use super::info::RuleInfo;
use super::rule::{Assertion, Check, Field, Fragment, Kind, Rule, Section, SelectCheck};
use super::select::Selector;
use super::template::{ASSERTION_VARS, Template};
use crate::finding::Severity;
use crate::sheet::yaml::{self, Node, Value};
use crate::source::{SourceFile, Span};
use crate::suggest::did_you_mean;

/// A parsed pack.
#[derive(Debug)]
pub struct Pack {
    pub name: String,
    pub description: String,
    pub rules: Vec<Rule>,
    /// Whole-sheet cases `govsheet test` runs (`tests:`), in pack order.
    pub tests: Vec<SheetTest>,
}

/// One `tests:` entry of a pack: a whole sheet, the day it is judged as of, and the findings
/// it must raise.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetTest {
    /// `name`, or "test case N" after its place in the list.
    pub name: String,
    /// The pack's name: the findings of its rules are the ones a case is judged on.
    pub pack: String,
    /// The pack's file as the user names it, and the 1-based line where the case starts.
    pub file: String,
    pub line: usize,
    pub sheet: CaseSheet,
    /// `today`; none: the pack's `examples_today`, else the run's today.
    pub today: Option<chrono::NaiveDate>,
    pub expect: Vec<Expected>,
}

/// Where a case's sheet comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseSheet {
    /// `sheet: PATH`, relative to the pack's folder (never absolute, never through `..`).
    File(String),
    /// `text: |` the sheet itself.
    Inline(String),
}

/// A finding a case expects: its rule, and optionally its line and severity.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    pub rule: String,
    pub line: Option<usize>,
    pub severity: Option<Severity>,
}

/// Why a pack cannot be used (the run stops: exit 2).
#[derive(Debug, Clone, PartialEq)]
pub struct PackError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: invalid policy pack: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for PackError {}

const PACK_KEYS: [&str; 5] = ["pack", "description", "examples_today", "rules", "tests"];
const TEST_KEYS: [&str; 5] = ["name", "sheet", "text", "today", "expect"];
const EXPECT_KEYS: [&str; 3] = ["rule", "line", "severity"];
const RULE_KEYS: [&str; 14] = [
    "id",
    "severity",
    "summary",
    "description",
    "why",
    "examples",
    "command",
    "message",
    "help",
    "select",
    "when",
    "assert",
    "builtin",
    "checks",
];
const CHECK_KEYS: [&str; 6] = ["select", "when", "assert", "message", "help", "builtin"];
const KINDS: [&str; 9] = [
    "present",
    "declared",
    "present_any",
    "reference",
    "pattern",
    "enum",
    "count",
    "equals",
    "schema",
];
const ASSERT_OPTIONS: [&str; 8] = [
    "to", "regex", "values", "min", "max", "value", "field", "message",
];

struct Parser {
    source: Arc<SourceFile>,
    /// Parsing a pack built into govsheet (whose rules may name the loader's built-ins).
    embedded: bool,
}

type R<T> = Result<T, PackError>;

fn is_kebab(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Parser {
    fn err(&self, span: Span, message: impl Into<String>) -> PackError {
        let loc = self.source.location(span.start);
        PackError {
            file: self.source.name.clone(),
            line: loc.line,
            column: loc.column,
            message: message.into(),
        }
    }

    fn map<'a>(&self, node: &'a Node, what: &str) -> R<&'a [(Node, Node)]> {
        node.as_map().ok_or_else(|| {
            self.err(
                node.span,
                format!("{what} should be a map, found {}", node.type_name()),
            )
        })
    }

    fn check_keys(&self, node: &Node, allowed: &[&str], what: &str) -> R<()> {
        for (k, _) in self.map(node, what)? {
            let key = k.key_text();
            if !allowed.contains(&key.as_str()) {
                let hint = match did_you_mean(&key, allowed.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known keys: {}", allowed.join(", ")),
                };
                return Err(self.err(k.span, format!("unknown key `{key}` in {what}; {hint}")));
            }
        }
        Ok(())
    }

    fn string(&self, node: &Node, what: &str) -> R<String> {
        match &node.value {
            Value::Str(s) if !s.trim().is_empty() => Ok(s.to_string()),
            Value::Str(_) => Err(self.err(node.span, format!("{what} is empty"))),
            _ => Err(self.err(
                node.span,
                format!("{what} should be a string, found {}", node.type_name()),
            )),
        }
    }

    fn required<'a>(&self, map: &'a Node, key: &str, what: &str) -> R<&'a Node> {
        map.get(key).ok_or_else(|| {
            let span = map.span;
            self.err(Span::new(span.start, 0), format!("{what} has no `{key}`"))
        })
    }

    fn template(&self, node: &Node, what: &str, known: &dyn Fn(&str) -> bool) -> R<Template> {
        let text = self.string(node, what)?;
        Template::parse(&text, known).map_err(|e| self.err(node.span, e))
    }

    fn pack(&self, root: &Node) -> R<Pack> {
        self.check_keys(root, &PACK_KEYS, "a pack")?;
        let name_node = self.required(root, "pack", "the pack")?;
        let name = self.string(name_node, "`pack` (the pack's name)")?;
        if !is_kebab(&name) {
            return Err(self.err(
                name_node.span,
                format!("pack name `{name}` should be kebab-case"),
            ));
        }
        let description = match root.get("description") {
            Some(d) => self.string(d, "`description`")?,
            None => String::new(),
        };
        let examples_today = match root.get("examples_today") {
            Some(n) => {
                let text = match &n.value {
                    Value::Str(s) => s.to_string(),
                    _ => String::new(),
                };
                Some(crate::sheet::model::parse_date(&text).ok_or_else(|| {
                    self.err(n.span, "`examples_today` should be a date, YYYY-MM-DD")
                })?)
            }
            None => None,
        };
        let rules_node = self.required(root, "rules", "the pack")?;
        let items = rules_node.as_seq().ok_or_else(|| {
            self.err(
                rules_node.span,
                format!(
                    "`rules` should be a list of rules, found {}",
                    rules_node.type_name()
                ),
            )
        })?;
        let mut rules: Vec<Rule> = Vec::new();
        for item in items {
            let mut rule = self.rule(item, &name)?;
            rule.info.examples_today = examples_today;
            if rules.iter().any(|r| r.info.id == rule.info.id) {
                let span = item.get("id").map_or(item.span, |n| n.span);
                return Err(self.err(span, format!("rule `{}` is declared twice", rule.info.id)));
            }
            rules.push(rule);
        }
        let tests = match root.get("tests") {
            Some(t) => self.tests(t, &name, examples_today)?,
            None => Vec::new(),
        };
        Ok(Pack {
            name,
            description,
            rules,
            tests,
        })
    }

    /// The `tests:` list: each case a map of `name`, `sheet` or `text`, `today`, `expect`.
    fn tests(
        &self,
        node: &Node,
        pack: &str,
        default_today: Option<chrono::NaiveDate>,
    ) -> R<Vec<SheetTest>> {
        let items = node.as_seq().ok_or_else(|| {
            self.err(
                node.span,
                format!(
                    "`tests` should be a list of cases, found {}",
                    node.type_name()
                ),
            )
        })?;
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let what = format!("test case {}", i + 1);
            self.check_keys(item, &TEST_KEYS, &what)?;
            let name = match item.get("name") {
                Some(n) => self.string(n, &format!("`name` of {what}"))?,
                None => what.clone(),
            };
            let sheet = match (item.get("sheet"), item.get("text")) {
                (Some(p), None) => {
                    let path = self.string(p, &format!("`sheet` of {what}"))?;
                    let escapes = path.starts_with('/')
                        || path.starts_with('\\')
                        || path.split(['/', '\\']).any(|c| c == "..");
                    if escapes {
                        return Err(self.err(
                            p.span,
                            format!("`sheet` of {what} should be a path inside the pack's folder, relative to it (no `..`), found `{path}`"),
                        ));
                    }
                    if self.embedded {
                        return Err(self.err(
                            p.span,
                            "a built-in pack's cases write their sheet in `text`",
                        ));
                    }
                    CaseSheet::File(path)
                }
                (None, Some(t)) => CaseSheet::Inline(self.string(t, &format!("`text` of {what}"))?),
                (Some(_), Some(t)) => {
                    return Err(self.err(
                        t.span,
                        format!("{what} has both `sheet` and `text`; keep one"),
                    ));
                }
                (None, None) => {
                    return Err(self.err(
                        Span::new(item.span.start, 0),
                        format!("{what} has no `sheet` (a file) or `text` (the sheet itself)"),
                    ));
                }
            };
            let today = match item.get("today") {
                Some(n) => {
                    let text = n.as_str().unwrap_or_default();
                    Some(crate::sheet::model::parse_date(text).ok_or_else(|| {
                        self.err(
                            n.span,
                            format!("`today` of {what} should be a date, YYYY-MM-DD"),
                        )
                    })?)
                }
                None => default_today,
            };
            let expect_node = self.required(item, "expect", &what)?;
            let list = expect_node.as_seq().ok_or_else(|| {
                self.err(
                    expect_node.span,
                    format!(
                        "`expect` of {what} should be a list of findings (`- rule: ID`), found {}",
                        expect_node.type_name()
                    ),
                )
            })?;
            let mut expect = Vec::new();
            for e in list {
                self.check_keys(e, &EXPECT_KEYS, &format!("an expected finding of {what}"))?;
                let rule = self.string(
                    self.required(e, "rule", &format!("an expected finding of {what}"))?,
                    "`rule`",
                )?;
                let line = match e.get("line") {
                    Some(n) => Some(match &n.value {
                        Value::Int(l) if *l > 0 => *l as usize,
                        _ => {
                            return Err(
                                self.err(n.span, "`line` should be a line number (1 or more)")
                            );
                        }
                    }),
                    None => None,
                };
                let severity = match e.get("severity") {
                    Some(n) => {
                        let t = self.string(n, "`severity`")?;
                        Some(Severity::parse(&t).ok_or_else(|| {
                            self.err(
                                n.span,
                                format!("severity `{t}` should be `error`, `warning` or `info`"),
                            )
                        })?)
                    }
                    None => None,
                };
                expect.push(Expected {
                    rule,
                    line,
                    severity,
                });
            }
            out.push(SheetTest {
                name,
                pack: pack.to_owned(),
                file: self.source.name.clone(),
                line: self.source.location(item.span.start).line,
                sheet,
                today,
                expect,
            });
        }
        Ok(out)
    }

    fn rule(&self, node: &Node, pack: &str) -> R<Rule> {
        self.check_keys(node, &RULE_KEYS, "a rule")?;
        let id_node = self.required(node, "id", "a rule")?;
        let id = self.string(id_node, "`id`")?;
        if !is_kebab(&id) {
            return Err(self.err(
                id_node.span,
                format!("rule id `{id}` should be kebab-case (lowercase letters, digits, `-`)"),
            ));
        }
        let what = format!("rule `{id}`");
        let sev_node = self.required(node, "severity", &what)?;
        let sev_text = self.string(sev_node, "`severity`")?;
        let severity = Severity::parse(&sev_text).ok_or_else(|| {
            self.err(
                sev_node.span,
                format!("severity `{sev_text}` of {what} should be `error`, `warning` or `info`"),
            )
        })?;
        let text_of = |key: &str, required: bool| -> R<String> {
            match node.get(key) {
                Some(n) => self.string(n, &format!("`{key}` of {what}")),
                None if required => Err(self.err(
                    Span::new(node.span.start, 0),
                    format!("{what} has no `{key}`"),
                )),
                None => Ok(String::new()),
            }
        };
        let summary = text_of("summary", true)?;
        let description = text_of("description", true)?;
        let why = text_of("why", false)?;
        let command = match node.get("command") {
            Some(n) => {
                let c = self.string(n, "`command`")?;
                if !is_kebab(&c) {
                    return Err(self.err(
                        n.span,
                        format!("command `{c}` should be a govsheet command such as `check`"),
                    ));
                }
                c
            }
            None => "check".to_owned(),
        };
        let (mut example_fail, mut example_pass) = (String::new(), String::new());
        let mut example_lines = (0, 0);
        // The line of the `fail:` / `pass:` key (a block scalar's own span starts below it).
        let line_of = |ex: &Node, key: &str| {
            ex.as_map()
                .and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some(key)))
                .map_or(0, |(k, _)| self.source.location(k.span.start).line)
        };
        if let Some(ex) = node.get("examples") {
            self.check_keys(ex, &["fail", "pass"], &format!("`examples` of {what}"))?;
            if let Some(f) = ex.get("fail") {
                example_fail = self.string(f, "`examples.fail`")?;
                example_lines.0 = line_of(ex, "fail");
            }
            if let Some(p) = ex.get("pass") {
                example_pass = self.string(p, "`examples.pass`")?;
                example_lines.1 = line_of(ex, "pass");
            }
        }
        let info = RuleInfo {
            id: id.clone(),
            severity,
            summary,
            description,
            why,
            example_fail,
            example_pass,
            example_lines,
            examples_today: None,
            pack: pack.to_owned(),
            file: self.source.name.clone(),
            command: command.clone(),
        };
        let mut checks = Vec::new();
        let inline = ["select", "when", "assert", "builtin"]
            .iter()
            .any(|k| node.get(k).is_some());
        if let Some(list) = node.get("checks") {
            if inline {
                return Err(self.err(list.span, format!("{what} has both `checks` and an inline `select`/`assert`/`builtin`; use one")));
            }
            let items = list
                .as_seq()
                .ok_or_else(|| self.err(list.span, "`checks` should be a list"))?;
            for c in items {
                self.check_keys(c, &CHECK_KEYS, &format!("a check of {what}"))?;
                checks.push(self.check(c, node, &what)?);
            }
        } else if inline {
            checks.push(self.check(node, node, &what)?);
        } else if node.get("message").is_some() || node.get("help").is_some() {
            return Err(self.err(
                node.span,
                format!("{what} has a `message` but no check: add `select` + `assert`"),
            ));
        }
        if checks.is_empty() && command == "check" {
            return Err(self.err(
                id_node.span,
                format!("{what} has no check: write `select` + `assert`, `checks`, or `builtin` (or `command:` when another govsheet command makes its findings)"),
            ));
        }
        Ok(Rule { info, checks })
    }

    /// One check; `rule` supplies the default `message` / `help`.
    fn check(&self, node: &Node, rule: &Node, what: &str) -> R<Check> {
        if let Some(b) = node.get("builtin") {
            let name = self.string(b, "`builtin`")?;
            for k in ["select", "when", "assert"] {
                if let Some(n) = node.get(k) {
                    return Err(self.err(n.span, format!("a `builtin` check takes no `{k}`")));
                }
            }
            return match Builtin::entry(&name) {
                Some(e) if e.needs == builtin::Needs::CoreOnly && !self.embedded => {
                    Err(self.err(
                        b.span,
                        format!(
                            "the built-in `{name}` runs nothing in a pack: govsheet makes its findings for its own core rules while loading the sheet or applying waivers; configure those rules in the sheet's `policy.rules` instead"
                        ),
                    ))
                }
                Some(e) => Ok(Check::Builtin(e.builtin)),
                None => {
                    let names: Vec<&str> = builtin::ENTRIES.iter().map(|e| e.name).collect();
                    let hint = match did_you_mean(&name, names.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("built-ins: {}", names.join(", ")),
                    };
                    Err(self.err(b.span, format!("unknown built-in `{name}`; {hint}")))
                }
            };
        }
        let sel_node = self.required(node, "select", what)?;
        let sel_text = match &sel_node.value {
            Value::Str(s) => s.clone(),
            _ => {
                return Err(self.err(
                    sel_node.span,
                    "`select` should be a selector such as `/events/{event}`",
                ));
            }
        };
        let selector = Selector::parse(&sel_text).map_err(|e| self.err(sel_node.span, e))?;
        let captures: Vec<String> = selector.captures().map(str::to_owned).collect();
        let known = |n: &str| captures.iter().any(|c| c == n) || ASSERTION_VARS.contains(&n);
        let when = match node.get("when") {
            Some(w) => self.assertions(w, &known, "`when`")?,
            None => Vec::new(),
        };
        let assert_node = self.required(node, "assert", what)?;
        let assert = self.assertions(assert_node, &known, "`assert`")?;
        if assert.is_empty() {
            return Err(self.err(assert_node.span, format!("`assert` of {what} is empty")));
        }
        let pick = |key: &str| node.get(key).or_else(|| rule.get(key));
        let message = pick("message")
            .map(|n| self.template(n, "`message`", &known))
            .transpose()?;
        let help = pick("help")
            .map(|n| self.template(n, "`help`", &known))
            .transpose()?;
        Ok(Check::Select(SelectCheck {
            selector,
            when,
            assert,
            message,
            help,
        }))
    }

    fn assertions(
        &self,
        node: &Node,
        known: &dyn Fn(&str) -> bool,
        what: &str,
    ) -> R<Vec<Assertion>> {
        let items = node.as_seq().ok_or_else(|| {
            self.err(
                node.span,
                format!(
                    "{what} should be a list of assertions, found {}",
                    node.type_name()
                ),
            )
        })?;
        items.iter().map(|a| self.assertion(a, known)).collect()
    }

    fn field(&self, node: &Node) -> R<Field> {
        let t = self.string(node, "a field")?;
        Field::parse(&t).map_err(|e| self.err(node.span, e))
    }

    fn assertion(&self, node: &Node, known: &dyn Fn(&str) -> bool) -> R<Assertion> {
        let entries = self.map(node, "an assertion")?;
        let mut kind_entry = None;
        for (k, v) in entries {
            let key = k.key_text();
            if KINDS.contains(&key.as_str()) {
                if kind_entry.is_some() {
                    return Err(self.err(k.span, format!("an assertion has one kind; `{key}` is a second one (write two assertions)")));
                }
                kind_entry = Some((key, k, v));
            } else if !ASSERT_OPTIONS.contains(&key.as_str()) && key != "help" {
                let all: Vec<&str> = KINDS.iter().chain(ASSERT_OPTIONS.iter()).copied().collect();
                let hint = match did_you_mean(&key, all.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("an assertion is one of {}", KINDS.join(", ")),
                };
                return Err(self.err(
                    k.span,
                    format!("unknown key `{key}` in an assertion; {hint}"),
                ));
            }
        }
        let Some((kind_name, kind_key, v)) = kind_entry else {
            return Err(self.err(
                node.span,
                format!("an assertion needs one of {}", KINDS.join(", ")),
            ));
        };
        let opt = |k: &str| node.get(k);
        let need = |k: &str| {
            opt(k).ok_or_else(|| self.err(kind_key.span, format!("`{kind_name}` needs `{k}`")))
        };
        let count = |k: &str| -> R<Option<usize>> {
            match opt(k) {
                None => Ok(None),
                Some(n) => match n.value {
                    Value::Int(i) if i >= 0 => Ok(Some(i as usize)),
                    _ => Err(self.err(n.span, format!("`{k}` should be a whole number ≥ 0"))),
                },
            }
        };
        let kind = match kind_name.as_str() {
            "present" => Kind::Present(self.field(v)?),
            "declared" => Kind::Declared(self.field(v)?),
            "present_any" => {
                let items = v
                    .as_seq()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| self.err(v.span, "`present_any` should be a list of fields"))?;
                Kind::PresentAny(items.iter().map(|n| self.field(n)).collect::<R<_>>()?)
            }
            "reference" => {
                let to = need("to")?;
                let t = self.string(to, "`to`")?;
                let section = Section::parse(&t).ok_or_else(|| {
                    let names: Vec<&str> = Section::ALL.iter().map(|(n, _)| *n).collect();
                    self.err(
                        to.span,
                        format!("`to: {t}` should name a section: {}", names.join(", ")),
                    )
                })?;
                Kind::Reference(self.field(v)?, section)
            }
            "pattern" => {
                let re_node = need("regex")?;
                let re_text = self.string(re_node, "`regex`")?;
                let re = super::rule::pattern(&re_text).map_err(|e| {
                    self.err(re_node.span, format!("`regex` does not compile: {e}"))
                })?;
                Kind::Pattern(self.field(v)?, re)
            }
            "enum" => {
                let values = need("values")?;
                let list = values
                    .as_seq()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| self.err(values.span, "`values` should be a non-empty list"))?;
                Kind::Enum(self.field(v)?, list.iter().map(Node::to_json).collect())
            }
            "count" => {
                let (min, max) = (count("min")?, count("max")?);
                if min.is_none() && max.is_none() {
                    return Err(self.err(kind_key.span, "`count` needs `min`, `max` or both"));
                }
                Kind::Count(self.field(v)?, min, max)
            }
            "equals" => Kind::Equals(self.field(v)?, need("value")?.to_json()),
            "schema" => {
                let fragment = Fragment::compile(v.to_json()).map_err(|e| {
                    self.err(
                        v.span,
                        format!("the JSON Schema fragment does not compile: {e}"),
                    )
                })?;
                let field = opt("field").map(|f| self.field(f)).transpose()?;
                Kind::Schema(field, Arc::new(fragment))
            }
            _ => return Err(self.err(kind_key.span, format!("unknown assertion `{kind_name}`"))),
        };
        let message = opt("message")
            .map(|n| self.template(n, "`message`", known))
            .transpose()?;
        let help = opt("help")
            .map(|n| self.template(n, "`help`", known))
            .transpose()?;
        Ok(Assertion {
            kind,
            message,
            help,
        })
    }
}

/// Parse a team's pack from its text. `name` is the file as the user should see it.
pub fn parse(name: &str, text: &str) -> Result<Pack, PackError> {
    parse_as(name, text, false)
}

/// Parse a pack built into govsheet (`policies/*.yaml`): by the test that writes
/// `prebuilt.rs`, and at start-up only when that file is stale (see `policy::embedded`).
#[cfg_attr(
    not(any(test, govsheet_stale_packs)),
    allow(dead_code, reason = "the packs are prebuilt")
)]
pub(crate) fn parse_embedded(name: &str, text: &str) -> Result<Pack, PackError> {
    parse_as(name, text, true)
}

fn parse_as(name: &str, text: &str, embedded: bool) -> Result<Pack, PackError> {
    let source = SourceFile::new(name, text);
    let p = Parser {
        source: Arc::clone(&source),
        embedded,
    };
    let root = yaml::parse(text).map_err(|e| p.err(e.span.unwrap_or_default(), e.message))?;
    if root.is_null() {
        return Err(p.err(
            root.span,
            "the pack is empty: write `pack: NAME` and `rules:`",
        ));
    }
    p.pack(&root)
}
