//! The governance document and the dependency graph: a format-neutral document built from the sheet (`document`), written as Markdown or HTML, plus the graph as dot or Mermaid; pure, no I/O.

pub mod document;
pub mod graph;
pub mod html;
pub mod markdown;
pub mod status;

use chrono::NaiveDate;

use crate::finding::Finding;
use crate::sheet::Sheet;

/// How a badge is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Bad,
    Warn,
    Good,
    Neutral,
}

/// A run of text in a cell or paragraph. The renderers escape every string.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    /// An identifier or a format string, shown in a code font.
    Code(String),
    Strong(String),
    /// A status word with a colour (Stop, Go, overdue, ...).
    Badge(Tone, String),
    Break,
}

/// The content of one table cell or paragraph.
pub type Cell = Vec<Inline>;

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub head: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone)]
pub enum Block {
    /// A section heading (level 2) with its anchor id.
    Heading(&'static str, &'static str),
    Para(Cell),
    Table(Table),
    /// The dependency graph (Mermaid in Markdown; an inline SVG and the Mermaid source in HTML).
    Graph(graph::Graph),
}

/// The whole document: a title and its blocks in order.
#[derive(Debug, Clone)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// The output formats of `govsheet doc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFormat {
    Markdown,
    Html,
}

/// What the document is rendered from besides the sheet.
#[derive(Debug, Clone, Copy)]
pub struct DocOptions<'a> {
    /// The date retests and reviews are judged against.
    pub today: NaiveDate,
    /// Whether to print "as of `today`" (only when the date was given, so output stays
    /// deterministic).
    pub show_date: bool,
    /// The sheet's file name as shown in the document.
    pub sheet_name: &'a str,
}

/// Render a sheet as a document in one format. `findings` are the sheet's findings; the
/// errors that point into an event stop it.
pub fn render(
    sheet: &Sheet,
    findings: &[Finding],
    opts: DocOptions<'_>,
    format: DocFormat,
) -> String {
    let doc = document::build(sheet, findings, opts);
    match format {
        DocFormat::Markdown => markdown::render(&doc),
        DocFormat::Html => html::render(&doc),
    }
}
