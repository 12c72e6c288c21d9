//! Message templates: `event {event} has no owner` filled with a match's names and values.
//!
//! `{name}` is a selector capture or a value the assertion provides (`field`, `value`,
//! `expected`, `error`, `at`); `{@path}` is the text of a field of the selected node
//! (`{@id}`). Placeholders are checked when the pack is loaded, not when a finding is made.

use crate::sheet::yaml::Node;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Part {
    Text(String),
    Var(String),
    /// A field of the selected node, as a relative path.
    Field(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub(super) parts: Vec<Part>,
}

/// Values every assertion can provide to its templates.
pub const ASSERTION_VARS: [&str; 5] = ["field", "value", "expected", "error", "at"];

impl Template {
    /// Parse a template; `known` says which `{name}`s exist where it is used.
    pub fn parse(text: &str, known: &dyn Fn(&str) -> bool) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let close = after.find('}');
            let inner = close.map(|c| &after[..c]);
            match inner {
                Some(name) if name.starts_with('@') && name.len() > 1 => {
                    parts.push(Part::Text(rest[..open].to_string()));
                    parts.push(Part::Field(
                        name[1..].split('/').map(str::to_owned).collect(),
                    ));
                    rest = &after[name.len() + 1..];
                }
                Some(name) if super::select::is_name(name) => {
                    if !known(name) {
                        return Err(format!(
                            "template `{text}` uses `{{{name}}}`, which is not a capture of the selector nor one of {}",
                            ASSERTION_VARS
                                .iter()
                                .map(|v| format!("`{{{v}}}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                    parts.push(Part::Text(rest[..open].to_string()));
                    parts.push(Part::Var(name.to_owned()));
                    rest = &after[name.len() + 1..];
                }
                _ => {
                    // A brace that is no placeholder (`{system, fires_on}`) is text.
                    parts.push(Part::Text(rest[..=open].to_string()));
                    rest = after;
                }
            }
        }
        parts.push(Part::Text(rest.to_owned()));
        parts.retain(|p| !matches!(p, Part::Text(t) if t.is_empty()));
        Ok(Template { parts })
    }

    /// Fill the template. Unknown values render as `?`.
    pub fn render(&self, vars: &dyn Fn(&str) -> Option<String>, node: Option<&Node>) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Var(v) => out.push_str(vars(v).as_deref().unwrap_or("?")),
                Part::Field(path) => {
                    let found = node
                        .and_then(|root| path.iter().try_fold(root, |n, seg| n.get(seg)))
                        .map(scalar_text);
                    out.push_str(found.as_deref().unwrap_or("?"));
                }
            }
        }
        out
    }
}

/// The text of a scalar node; lists are joined with `, `.
pub fn scalar_text(node: &Node) -> String {
    match node.as_seq() {
        Some(items) => items
            .iter()
            .map(|n| n.key_text())
            .collect::<Vec<_>>()
            .join(", "),
        None => node.key_text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::yaml::parse;

    #[test]
    fn fills_vars_and_fields_and_keeps_other_braces() {
        let t = Template::parse("event {event} ({@id}) wants {system, fires_on}", &|n| {
            n == "event"
        })
        .unwrap();
        let node = parse("id: x-1\n").unwrap();
        let s = t.render(&|v| (v == "event").then(|| "Lead".to_owned()), Some(&node));
        assert_eq!(s, "event Lead (x-1) wants {system, fires_on}");
    }

    #[test]
    fn unknown_placeholders_are_refused() {
        let e = Template::parse("no {owner}", &|_| false).unwrap_err();
        assert!(e.contains("`{owner}`"), "{e}");
    }
}
