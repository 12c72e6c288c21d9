//! Writes a [`Document`] as one self-contained HTML page: inline CSS for screen and print, every sheet string HTML-escaped, no scripts and no external resources; the graph is an inline SVG drawn here plus its Mermaid source.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::document::sections;
use super::graph::{EdgeKind, Graph, NodeKind};
use super::{Block, Document, Inline, Table, Tone};

/// Escape text for HTML element content and double- or single-quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\r' => {}
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Escaped text with its line breaks kept as `<br>`.
fn text(s: &str) -> String {
    escape(s.trim_matches(|c: char| c == '\n' || c == '\r')).replace('\n', "<br>")
}

const CSS: &str = r#"
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --head: #f6f8fa; --stripe: #fbfcfd;
  --bad: #b42318; --bad-bg: #fee4e2; --good: #067647; --good-bg: #dcfae6; --warn: #93370d;
  --warn-bg: #fef0c7; --neutral-bg: #eaeef2; --code-bg: #eff1f3; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 12px; line-height: 1.25; }
h2 { font-size: 19px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 4px; }
h3:target { background: var(--warn-bg); }
a code { color: #0969da; }
p { margin: 8px 0; max-width: 960px; }
nav { margin: 12px 0 4px; font-size: 13px; }
nav a { color: #0969da; text-decoration: none; margin-right: 14px; white-space: nowrap; }
nav a:hover { text-decoration: underline; }
.scroll { overflow-x: auto; margin: 10px 0 18px; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line);
  overflow-wrap: break-word; }
th { background: var(--head); font-weight: 600; white-space: nowrap; }
tr:last-child td { border-bottom: 0; }
tbody tr:nth-child(even) td { background: var(--stripe); }
td:first-child { min-width: 110px; }
td { min-width: 90px; max-width: 420px; }
th.narrow, td.narrow { width: 1%; white-space: nowrap; min-width: 0; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--code-bg);
  padding: 1px 4px; border-radius: 4px; overflow-wrap: break-word; }
.badge { display: inline-block; font-size: 12px; font-weight: 600; line-height: 1.2; padding: 2px 8px;
  border-radius: 10px; white-space: nowrap; }
.bad { color: var(--bad); background: var(--bad-bg); }
.good { color: var(--good); background: var(--good-bg); }
.warn { color: var(--warn); background: var(--warn-bg); }
.neutral { color: var(--muted); background: var(--neutral-bg); }
.graph { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
.graph svg { display: block; }
svg .n rect { stroke-width: 1.2; }
svg .c rect { fill: #eef4ff; stroke: #3b5bdb; }
svg .e rect { fill: #fff4e6; stroke: #d9480f; }
svg .r rect { fill: #ebfbee; stroke: #2b8a3e; }
svg text { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; fill: #1f2328; }
svg text.col { font: 600 13px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; fill: #59636e; }
svg path.edge { fill: none; stroke: #6e7781; stroke-width: 1.1; }
svg path.dashed { stroke-dasharray: 5 4; }
svg marker path { fill: #6e7781; stroke: none; }
details { margin: 10px 0; }
summary { cursor: pointer; color: var(--muted); }
pre { background: var(--code-bg); padding: 12px; border-radius: 6px; overflow-x: auto;
  font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav, details { display: none; }
  h2 { break-after: avoid; margin-top: 18pt; }
  .scroll, .graph { overflow: visible; border: 0; }
  table { font-size: 8.5pt; }
  code { font-size: 7.5pt; }
  th, td { padding: 4px 6px; }
  td { max-width: none; }
  tr { break-inside: avoid; }
  .badge, th, tbody tr:nth-child(even) td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .graph svg { max-width: 100%; height: auto; }
}
"#;

fn inline(parts: &[Inline]) -> String {
    let mut out = String::new();
    for p in parts {
        match p {
            Inline::Text(t) => out.push_str(&text(t)),
            Inline::Code(c) => {
                let _ = write!(out, "<code>{}</code>", escape(c));
            }
            Inline::Strong(t) => {
                let _ = write!(out, "<strong>{}</strong>", text(t));
            }
            Inline::Badge(tone, t) => {
                let class = match tone {
                    Tone::Bad => "bad",
                    Tone::Warn => "warn",
                    Tone::Good => "good",
                    Tone::Neutral => "neutral",
                };
                let _ = write!(out, "<span class=\"badge {class}\">{}</span>", escape(t));
            }
            Inline::Link(c, anchor) if super::safe_anchor(anchor) => {
                let _ = write!(out, "<a href=\"#{anchor}\"><code>{}</code></a>", escape(c));
            }
            Inline::Link(c, _) => {
                let _ = write!(out, "<code>{}</code>", escape(c));
            }
            Inline::Break => out.push_str("<br>"),
        }
    }
    out
}

/// How many characters a cell shows, or `None` when it has a line break.
fn cell_len(cell: &[Inline]) -> Option<usize> {
    let mut n = 0;
    for p in cell {
        n += match p {
            Inline::Text(t)
            | Inline::Code(t)
            | Inline::Strong(t)
            | Inline::Badge(_, t)
            | Inline::Link(t, _) => {
                if t.contains('\n') {
                    return None;
                }
                t.chars().count()
            }
            Inline::Break => return None,
        };
    }
    Some(n)
}

/// Columns whose every cell is one short line (event names, badges, dates) are kept on one
/// line and as narrow as that line, leaving the width to the columns of prose.
const NARROW_CHARS: usize = 24;

fn table(out: &mut String, t: &Table) {
    let narrow: Vec<bool> = (0..t.head.len())
        .map(|i| {
            t.rows.iter().all(|row| {
                row.get(i)
                    .and_then(|c| cell_len(c))
                    .is_some_and(|n| n <= NARROW_CHARS)
            })
        })
        .collect();
    let class = |i: usize| if narrow[i] { " class=\"narrow\"" } else { "" };
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
    for (i, h) in t.head.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", class(i), escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for i in 0..t.head.len() {
            let cell = row.get(i).map(|c| inline(c)).unwrap_or_default();
            let _ = write!(out, "<td{}>{cell}</td>", class(i));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

const NODE_W: usize = 228;
const NODE_H: usize = 28;
const COL_GAP: usize = 76;
const ROW_GAP: usize = 14;
const TOP: usize = 34;
const LEFT: usize = 10;
/// Characters that fit in a node at 12px monospace.
const LABEL_CHARS: usize = 29;

/// Columns of the layout: component layers by depth of `depends_on`, then events, then retests.
fn columns(g: &Graph) -> Vec<Vec<usize>> {
    let n = g.nodes.len();
    // height[c] = 1 + max height of the components that depend on it, so a component sits
    // just left of what it feeds and every triggering component is next to the events;
    // iterate to a fixed point, bounded by n rounds so a cycle cannot loop.
    let mut height = vec![0usize; n];
    for _ in 0..n {
        let mut changed = false;
        for e in g.edges.iter().filter(|e| e.kind == EdgeKind::DependedOnBy) {
            if height[e.from] < height[e.to] + 1 && height[e.to] + 1 < n {
                height[e.from] = height[e.to] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let comp_layers = (0..n)
        .filter(|&i| g.nodes[i].kind == NodeKind::Component)
        .map(|i| height[i] + 1)
        .max()
        .unwrap_or(0);
    let mut cols: Vec<Vec<usize>> = vec![Vec::new(); comp_layers + 2];
    for (i, node) in g.nodes.iter().enumerate() {
        let col = match node.kind {
            NodeKind::Component => comp_layers.saturating_sub(height[i] + 1),
            NodeKind::Event => comp_layers,
            NodeKind::Retest => comp_layers + 1,
        };
        cols[col].push(i);
    }
    cols.retain(|c| !c.is_empty());
    // One barycentre pass left to right: order each column by the mean row of its
    // predecessors, keeping sheet order for ties, so edges cross less.
    let mut row_of: HashMap<usize, f64> = HashMap::new();
    for (ci, col) in cols.iter_mut().enumerate() {
        if ci > 0 {
            let key = |i: usize| -> f64 {
                let preds: Vec<f64> = g
                    .edges
                    .iter()
                    .filter(|e| e.to == i)
                    .filter_map(|e| row_of.get(&e.from).copied())
                    .collect();
                if preds.is_empty() {
                    f64::MAX
                } else {
                    preds.iter().sum::<f64>() / preds.len() as f64
                }
            };
            let mut keyed: Vec<(f64, usize, usize)> = col
                .iter()
                .enumerate()
                .map(|(pos, &i)| (key(i), pos, i))
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            *col = keyed.into_iter().map(|(_, _, i)| i).collect();
        }
        for (r, &i) in col.iter().enumerate() {
            row_of.insert(i, r as f64);
        }
    }
    cols
}

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let mut s: String = label.chars().take(LABEL_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// Draw the graph as an inline SVG: columns left to right, curved edges.
pub fn svg(g: &Graph) -> String {
    if g.nodes.is_empty() {
        return String::new();
    }
    let cols = columns(g);
    let mut pos = vec![(0usize, 0usize); g.nodes.len()];
    let mut max_rows = 0;
    for (ci, col) in cols.iter().enumerate() {
        max_rows = max_rows.max(col.len());
        for (r, &i) in col.iter().enumerate() {
            pos[i] = (LEFT + ci * (NODE_W + COL_GAP), TOP + r * (NODE_H + ROW_GAP));
        }
    }
    let width = LEFT * 2 + cols.len() * NODE_W + cols.len().saturating_sub(1) * COL_GAP;
    let height = TOP + max_rows * (NODE_H + ROW_GAP) + 4;
    let mut out = format!(
        "<svg width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Dependency graph\">\n"
    );
    for (ci, col) in cols.iter().enumerate() {
        let Some(&first) = col.first() else { continue };
        let title = match g.nodes[first].kind {
            NodeKind::Component if ci == 0 => "Components",
            NodeKind::Component => "",
            NodeKind::Event => "Events",
            NodeKind::Retest => "Retests",
        };
        if title.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<text class=\"col\" x=\"{}\" y=\"18\">{title}</text>",
            pos[first].0
        );
    }
    for e in &g.edges {
        let (x1, y1) = (pos[e.from].0 + NODE_W, pos[e.from].1 + NODE_H / 2);
        let (x2, y2) = (pos[e.to].0, pos[e.to].1 + NODE_H / 2);
        let dashed = e.kind == EdgeKind::Requires && g.nodes[e.from].kind == NodeKind::Component;
        let class = if dashed { "edge dashed" } else { "edge" };
        let bend = (x2.abs_diff(x1) / 2).max(30);
        let _ = writeln!(
            out,
            "<path class=\"{class}\" d=\"M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}\" marker-end=\"url(#arrow)\"/>",
            x1 + bend,
            x2.saturating_sub(bend),
        );
    }
    out.push_str(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" \
         markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" \
         fill=\"#6e7781\" stroke=\"none\"/></marker></defs>\n",
    );
    for (i, n) in g.nodes.iter().enumerate() {
        let class = match n.kind {
            NodeKind::Component => "c",
            NodeKind::Event => "e",
            NodeKind::Retest => "r",
        };
        let rx = if n.kind == NodeKind::Event { 14 } else { 4 };
        let (x, y) = pos[i];
        let _ = writeln!(
            out,
            "<g class=\"n {class}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" \
             height=\"{NODE_H}\" rx=\"{rx}\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
            escape(&n.id),
            x + 10,
            y + 18,
            escape(&short(&n.id))
        );
    }
    out.push_str("</svg>");
    out
}

/// Render the document as a self-contained HTML page.
pub fn render(doc: &Document) -> String {
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(&doc.title));
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>\n<main>");
    let _ = writeln!(out, "<h1>{}</h1>", escape(&doc.title));
    let mut nav_done = false;
    for block in &doc.blocks {
        match block {
            Block::Heading(title, anchor) => {
                if !nav_done {
                    out.push_str("<nav>");
                    for (t, a) in sections(doc) {
                        // A line break between links: the only place the list may wrap.
                        let _ = writeln!(out, "<a href=\"#{a}\">{}</a>", escape(t));
                    }
                    out.push_str("</nav>\n");
                    nav_done = true;
                }
                let _ = writeln!(out, "<h2 id=\"{anchor}\">{}</h2>", escape(title));
            }
            Block::SubHeading(title, anchor) => match anchor.as_deref() {
                Some(a) if super::safe_anchor(a) => {
                    let _ = writeln!(out, "<h3 id=\"{a}\">{}</h3>", escape(title));
                }
                _ => {
                    let _ = writeln!(out, "<h3>{}</h3>", escape(title));
                }
            },
            Block::Para(p) => {
                let _ = writeln!(out, "<p>{}</p>", inline(p));
            }
            Block::Table(t) => table(&mut out, t),
            Block::Graph(g) => {
                let drawing = svg(g);
                if !drawing.is_empty() {
                    let _ = writeln!(out, "<div class=\"graph\">{drawing}</div>");
                }
                let _ = writeln!(
                    out,
                    "<details><summary>Mermaid source</summary><pre>{}</pre></details>",
                    escape(&g.to_mermaid())
                );
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_could_open_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(text("a\nb\n"), "a<br>b");
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(short("short"), "short");
        let long = "a".repeat(40);
        assert_eq!(short(&long).chars().count(), LABEL_CHARS);
    }
}
