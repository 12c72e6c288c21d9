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
    /// An identifier (shown as code) linking to an anchor of this document, made by
    /// [`route_anchor`]; renderers fall back to plain code when the anchor is not safe.
    Link(String, String),
    Break,
}

/// The anchor of a router route's heading (`route-ID`), only for a kebab-case id: the anchor
/// GitHub and GitLab derive from the heading `Route: ID` is then the same string.
pub fn route_anchor(id: &str) -> Option<String> {
    let kebab = id
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    kebab.then(|| format!("route-{id}"))
}

/// Whether an anchor is one this document makes (`[a-z0-9-]`, not empty).
pub fn safe_anchor(anchor: &str) -> bool {
    !anchor.is_empty()
        && anchor
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
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
    /// A heading inside a section (level 3) with its anchor, when it has a safe one.
    SubHeading(String, Option<String>),
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

/// The words before the date in a document rendered with a date.
pub const AS_OF: &str = "Status as of ";

/// The date a rendered document says its status is as of, if it says one.
pub fn as_of(text: &str) -> Option<NaiveDate> {
    let start = text.find(AS_OF)? + AS_OF.len();
    crate::sheet::model::parse_date(text.get(start..start + 10)?)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_reads_the_stated_date() {
        assert_eq!(
            as_of("x. Status as of 2026-11-25<br>"),
            crate::sheet::model::parse_date("2026-11-25")
        );
        assert_eq!(as_of("Status as of 2026-13-01"), None);
        assert_eq!(as_of("Status as of 2026"), None);
        assert_eq!(as_of("no date"), None);
    }
}
