//! The one Finding type every check produces and every renderer reads.
//!
//! A finding is data: which rule, how severe, what is wrong, and where (file, JSON pointer,
//! byte span, and the line/column derived from it). Renderers live in `report`.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::source::{Location, SourceFile, Span};

/// A value quoted in a message, cut to `max` characters (with `...` when cut), so that a long
/// id or scalar does not swamp the line.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_owned(),
    }
}

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The typed rule ids, generated from the embedded packs: a finding the code makes names a
/// rule the registry declares, at the registry's severity ([`Finding::of`]).
mod ids {
    use super::Severity;
    include!(concat!(env!("OUT_DIR"), "/rule_id.rs"));
}
pub use ids::RuleId;

impl RuleId {
    /// The rule of an id, when an embedded pack declares it.
    pub fn parse(id: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|r| r.as_str() == id)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary place a finding points at (e.g. the other end of a cycle).
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem found in one file.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// The file as the user names it.
    pub file: String,
    /// The JSON pointer of the node at fault ("" for the whole document).
    pub pointer: String,
    pub span: Option<Span>,
    pub location: Option<Location>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// The source text, when the file is small enough to show a snippet from.
    pub source: Option<Arc<SourceFile>>,
    /// For "X has no F": the pointer F would have, so that an unknown key meant as F folds
    /// this finding into its own (see [`fold`]).
    pub absent: Option<String>,
    /// For an unknown key with a did-you-mean: the pointer of the key it was meant as.
    pub meant: Option<String>,
    /// A few words on what is wrong at the span ("unknown key", "not a duration"), shown
    /// under the underline; without them the severity is shown.
    pub spot: Option<String>,
    /// The changed file (repository-relative) a finding of `retests` is about: CI annotations
    /// point there, where a pull request shows it, with the finding's own place as related.
    pub changed: Option<String>,
}

impl Finding {
    /// A finding of a rule of the embedded packs, at the severity its pack gives it (the sheet's
    /// `policy.rules` may change it later, in one place: `policy::Overrides`).
    pub fn of(rule: RuleId, message: impl Into<String>) -> Self {
        Self::new(rule.as_str(), rule.severity(), message)
    }

    /// A finding of a rule known by its id at run time (a team pack's rule, whose severity
    /// comes with its `RuleInfo`). Code that makes a finding of a fixed rule uses [`Finding::of`].
    pub fn new(rule: impl Into<String>, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            rule: rule.into(),
            severity,
            message: message.into(),
            file: String::new(),
            pointer: String::new(),
            span: None,
            location: None,
            labels: Vec::new(),
            help: None,
            source: None,
            absent: None,
            meant: None,
            spot: None,
            changed: None,
        }
    }

    /// Say in a few words what is wrong at the span (see [`Finding::spot`]).
    pub fn with_spot(mut self, spot: impl Into<String>) -> Self {
        self.spot = Some(spot.into());
        self
    }

    /// Place the finding in a source file at a span (the location is derived from it).
    pub fn at(
        mut self,
        source: &Arc<SourceFile>,
        pointer: impl Into<String>,
        span: Option<Span>,
    ) -> Self {
        self.file = source.name.clone();
        self.pointer = pointer.into();
        self.span = span.map(|s| source.clamp(s));
        self.location = Some(self.span.map_or(Location { line: 1, column: 1 }, |s| {
            source.location(s.start)
        }));
        self.source = Some(Arc::clone(source));
        self
    }

    /// Place the finding in a file that is not kept in memory (a line of a large capture).
    pub fn at_line(mut self, file: impl Into<String>, line: usize, column: usize) -> Self {
        self.file = file.into();
        self.location = Some(Location { line, column });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        let span = match &self.source {
            Some(s) => s.clamp(span),
            None => span,
        };
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn line(&self) -> Option<usize> {
        self.location.map(|l| l.line)
    }

    pub fn column(&self) -> Option<usize> {
        self.location.map(|l| l.column)
    }
}

/// One finding per mistake: a finding that another explains is folded into it.
///
/// - A field reported missing (`event `Lead` has no owner`) next to an unknown key meant as that
///   field (`ownr:`, did you mean `owner`?): the unknown key is the mistake, and its help says
///   what else it explains.
/// - A value the schema refuses (`owner: Tracking_Team`, not a kebab-case id) and another rule's
///   finding at the very same place (it names no declared owner): the schema finding stays,
///   with the other one's words added to its help.
///
/// Only a finding at least as severe folds another, so the exit code never changes; findings
/// keep their order.
pub fn fold(findings: Vec<Finding>) -> Vec<Finding> {
    use std::collections::HashMap;
    let key = |f: &Finding, p: &str| (f.file.clone(), p.to_owned());
    // Where each schema finding that could explain others is.
    let mut by_meant: HashMap<(String, String), usize> = HashMap::new();
    let mut by_place: HashMap<(String, String), usize> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.rule != "schema" {
            continue;
        }
        match &f.meant {
            Some(m) => {
                by_meant.entry(key(f, m)).or_insert(i);
            }
            None => {
                by_place.entry(key(f, &f.pointer)).or_insert(i);
            }
        }
    }
    if by_meant.is_empty() && by_place.is_empty() {
        return findings;
    }
    let mut folded_into: Vec<Option<usize>> = vec![None; findings.len()];
    for (i, f) in findings.iter().enumerate() {
        if f.rule == "schema" {
            continue;
        }
        // A field missing under a place is not explained by what is wrong with the place
        // itself (an invalid event name does not give the event an owner).
        let host = match &f.absent {
            Some(a) => by_meant.get(&key(f, a)),
            None => by_place.get(&key(f, &f.pointer)),
        };
        if let Some(&h) = host
            && findings[h].severity >= f.severity
        {
            folded_into[i] = Some(h);
        }
    }
    let mut extra: Vec<Vec<String>> = vec![Vec::new(); findings.len()];
    for (i, host) in folded_into.iter().enumerate() {
        if let Some(h) = host {
            let f = &findings[i];
            let also = match &f.help {
                Some(help) if findings[*h].meant.is_none() => {
                    format!("it also fails `{}`: {}; {help}", f.rule, f.message)
                }
                _ => format!("it also explains `{}`: {}", f.rule, f.message),
            };
            extra[*h].push(also);
        }
    }
    findings
        .into_iter()
        .zip(extra)
        .zip(folded_into)
        .filter(|(_, host)| host.is_none())
        .map(|((mut f, also), _)| {
            if !also.is_empty() {
                let mut help = f.help.take().unwrap_or_default();
                for a in also {
                    if !help.is_empty() {
                        help.push('\n');
                    }
                    help.push_str(&a);
                }
                f.help = Some(help);
            }
            f
        })
        .collect()
}

/// Counts of findings by severity, as every report's summary shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub files: usize,
}

impl Summary {
    pub fn of(findings: &[Finding], files: usize) -> Self {
        let mut s = Summary {
            files,
            ..Summary::default()
        };
        for f in findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }
}

/// Sort findings by file, then position, then rule, so every output is deterministic.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            &a.file,
            a.location,
            a.span.map(|s| s.start),
            &a.rule,
            &a.message,
        )
            .cmp(&(
                &b.file,
                b.location,
                b.span.map(|s| s.start),
                &b.rule,
                &b.message,
            ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(pointer: &str, meant: Option<&str>) -> Finding {
        let mut f = Finding::new("schema", Severity::Error, "bad").with_help("did you mean?");
        f.pointer = pointer.into();
        f.meant = meant.map(str::to_owned);
        f
    }

    #[test]
    fn fold_keeps_one_finding_per_mistake_and_never_lowers_the_severity() {
        let mut missing = Finding::new("event-owner", Severity::Error, "no owner");
        missing.pointer = "/events/Lead".into();
        missing.absent = Some("/events/Lead/owner".into());
        let mut other = Finding::new("event-meaning", Severity::Error, "no meaning");
        other.pointer = "/events/Lead".into();
        other.absent = Some("/events/Lead/meaning".into());
        let folded = fold(vec![
            missing.clone(),
            schema("/events/Lead/ownr", Some("/events/Lead/owner")),
            other.clone(),
        ]);
        let rules: Vec<&str> = folded.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["schema", "event-meaning"]);
        assert!(
            folded[0]
                .help
                .as_deref()
                .unwrap()
                .ends_with("`event-owner`: no owner")
        );

        // A warning schema finding (severity lowered by the sheet) folds no error.
        let mut weak = schema("/events/Lead/ownr", Some("/events/Lead/owner"));
        weak.severity = Severity::Warning;
        assert_eq!(fold(vec![missing.clone(), weak]).len(), 2);

        // The same place: the schema finding takes the other's words.
        let mut reference = Finding::new("unknown-reference", Severity::Error, "names nothing")
            .with_help("did you mean `a`?");
        reference.pointer = "/events/Lead/owner".into();
        let folded = fold(vec![schema("/events/Lead/owner", None), reference]);
        assert_eq!(folded.len(), 1);
        assert!(
            folded[0]
                .help
                .as_deref()
                .unwrap()
                .contains("did you mean `a`?")
        );

        // A field missing under a refused key (an invalid event name) is its own mistake.
        assert_eq!(
            fold(vec![schema("/events/Lead", None), missing.clone()]).len(),
            2
        );

        // Another file's finding at the same pointer is its own mistake.
        let mut elsewhere = missing;
        elsewhere.file = "other.yaml".into();
        let lead = schema("/events/Lead/ownr", Some("/events/Lead/owner"));
        assert_eq!(fold(vec![elsewhere, lead]).len(), 2);
    }
}
