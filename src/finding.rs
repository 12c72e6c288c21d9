//! The one Finding type every check produces and every renderer reads.
//!
//! A finding is data: which rule, how severe, what is wrong, and where (file, JSON pointer,
//! byte span, and the line/column derived from it). Renderers live in `report`.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::sheet::source::{Location, SourceFile, Span};

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
}

impl Finding {
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
        }
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
