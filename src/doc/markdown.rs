//! Writes a [`Document`] as GitHub/GitLab-flavoured Markdown: every sheet string is escaped so it renders as the text it is (no HTML, links, emphasis or table breaks from sheet text), and the graph is a Mermaid block.

use std::fmt::Write as _;

use super::document::sections;
use super::{Block, Document, Inline, Table, Tone};

/// Escape text for inline Markdown (a cell, a paragraph, a heading) with the reports' one
/// Markdown escaping step (`report::escape::markdown_text`): no HTML, link, autolink, mention
/// or table break from sheet text. Line breaks become `<br>`, the only HTML this renderer
/// writes itself; a tab is a space.
pub fn escape(s: &str) -> String {
    let trimmed = s.trim_matches(|c: char| c == '\n' || c == '\r');
    let text: String = trimmed
        .chars()
        .filter(|&c| c != '\r')
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    crate::report::escape::markdown(&text)
}

/// Whether a string can sit in a code span unchanged: no backtick, pipe, backslash, line
/// break or control character, and no space at either end.
fn code_safe(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s
            .chars()
            .any(|c| matches!(c, '`' | '|' | '\\') || c.is_control())
}

/// Escape a block's first characters that would start a list, a heading underline or a
/// numbered list at the start of a line (`-`, `+`, `=`, `1.`, `1)`).
fn guard_line_start(s: String) -> String {
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    let mut chars = s.chars();
    match chars.next() {
        Some('-' | '+' | '=') => format!("\\{s}"),
        Some(_) if digits > 0 && matches!(s[digits..].chars().next(), Some('.' | ')')) => {
            format!("{}\\{}", &s[..digits], &s[digits..])
        }
        _ => s,
    }
}

fn inline(parts: &[Inline]) -> String {
    let mut out = String::new();
    for p in parts {
        match p {
            Inline::Text(t) => out.push_str(&escape(t)),
            Inline::Code(c) if code_safe(c) => {
                let _ = write!(out, "`{c}`");
            }
            Inline::Code(c) => out.push_str(&escape(c)),
            Inline::Strong(t) => {
                let t = t.trim();
                if !t.is_empty() {
                    let _ = write!(out, "**{}**", escape(t));
                }
            }
            Inline::Badge(tone, t) => {
                let mark = match tone {
                    Tone::Bad => "⛔ ",
                    Tone::Warn => "⚠️ ",
                    Tone::Good => "✅ ",
                    Tone::Neutral => "",
                };
                let _ = write!(out, "{mark}**{}**", escape(t.trim()));
            }
            Inline::Link(c, anchor) if code_safe(c) && super::safe_anchor(anchor) => {
                let _ = write!(out, "[`{c}`](#{anchor})");
            }
            Inline::Link(c, _) if code_safe(c) => {
                let _ = write!(out, "`{c}`");
            }
            Inline::Link(c, _) => out.push_str(&escape(c)),
            Inline::Break => out.push_str("<br>"),
        }
    }
    out
}

fn table(out: &mut String, t: &Table) {
    out.push('|');
    for h in &t.head {
        let _ = write!(out, " {} |", escape(h));
    }
    out.push_str("\n|");
    for _ in &t.head {
        out.push_str(":---|");
    }
    out.push('\n');
    for row in &t.rows {
        out.push('|');
        for i in 0..t.head.len() {
            let cell = row.get(i).map(|c| inline(c)).unwrap_or_default();
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
    out.push('\n');
}

/// The anchor GitHub and GitLab both give a heading made of letters and spaces.
fn slug(title: &str) -> String {
    title
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
        .map(|c| {
            if c == ' ' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// Render the document as Markdown.
pub fn render(doc: &Document) -> String {
    let mut out = format!("# {}\n\n", escape(&doc.title));
    let toc: Vec<String> = sections(doc)
        .iter()
        .map(|(t, _)| format!("[{}](#{})", escape(t), slug(t)))
        .collect();
    let mut toc_done = false;
    for block in &doc.blocks {
        match block {
            Block::Heading(title, _) => {
                if !toc_done {
                    let _ = writeln!(out, "**Contents:** {}\n", toc.join(" · "));
                    toc_done = true;
                }
                let _ = writeln!(out, "## {}\n", escape(title));
            }
            Block::SubHeading(title, _) => {
                let _ = writeln!(out, "### {}\n", escape(title));
            }
            Block::Para(p) => {
                let _ = writeln!(out, "{}\n", guard_line_start(inline(p)));
            }
            Block::Table(t) => table(&mut out, t),
            Block::Graph(g) => {
                let _ = writeln!(out, "```mermaid\n{}```\n", g.to_mermaid());
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_table_breaks() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("<script>x</script>"), "\\<script\\>x\\</script\\>");
        assert_eq!(escape("one\ntwo\n"), "one<br>two");
        assert_eq!(escape("`x` *y* _z_"), "\\`x\\` \\*y\\* \\_z\\_");
    }

    #[test]
    fn code_spans_only_for_safe_text() {
        assert_eq!(
            inline(&[Inline::Code("purchase-{order_id}".into())]),
            "`purchase-{order_id}`"
        );
        assert_eq!(inline(&[Inline::Code("a`|b".into())]), "a\\`\\|b");
    }

    #[test]
    fn line_starts_cannot_open_blocks() {
        assert_eq!(guard_line_start("- x".into()), "\\- x");
        assert_eq!(guard_line_start("12. x".into()), "12\\. x");
        assert_eq!(guard_line_start("12 x".into()), "12 x");
    }

    #[test]
    fn route_headings_get_the_anchor_their_links_use() {
        for id in ["purchase-spike", "emq-vs-reconciliation", "3ds"] {
            let anchor = super::super::route_anchor(id).unwrap();
            assert_eq!(slug(&format!("Route: {id}")), anchor);
        }
        assert_eq!(super::super::route_anchor("Spike"), None);
        assert_eq!(super::super::route_anchor("a b"), None);
        assert_eq!(
            inline(&[Inline::Link("a".into(), "route-a".into())]),
            "[`a`](#route-a)"
        );
        assert_eq!(
            inline(&[Inline::Link("a".into(), "x)(javascript:".into())]),
            "`a`"
        );
        assert_eq!(
            inline(&[Inline::Link("a|b".into(), "route-a".into())]),
            "a\\|b"
        );
    }

    #[test]
    fn slugs_match_github() {
        assert_eq!(slug("Stop or Go"), "stop-or-go");
        assert_eq!(
            slug("Parameter source of truth"),
            "parameter-source-of-truth"
        );
    }
}
