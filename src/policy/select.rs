//! Selectors: JSON-pointer-like paths with wildcards (`/events/{event}/parameters/*`), parsed
//! once and matched against a YAML span tree; each match carries the names its wildcards bound.

use crate::sheet::yaml::{Node, Value, escape_pointer, unescape_pointer};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Segment {
    Literal(String),
    /// `*` (no name) or `{name}`: any key of a map, any index of a list.
    Any(Option<String>),
}

/// A compiled selector.
#[derive(Debug, Clone)]
pub struct Selector {
    pub text: String,
    pub(super) segments: Vec<Segment>,
}

/// One node a selector matched.
#[derive(Debug, Clone)]
pub struct Match<'a> {
    pub pointer: String,
    /// The key of the node when it is a map entry.
    pub key: Option<&'a Node>,
    pub node: &'a Node,
    pub captures: Vec<(String, String)>,
}

/// Is this a valid capture name (`event`, `parameter_name`)?
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, String> {
        if text.is_empty() {
            return Ok(Selector {
                text: String::new(),
                segments: Vec::new(),
            });
        }
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!(
                "selector `{text}` must start with `/` (e.g. `/events/{{event}}`)"
            ));
        };
        let mut segments = Vec::new();
        for raw in rest.split('/') {
            if raw.is_empty() {
                return Err(format!("selector `{text}` has an empty segment (`//`)"));
            }
            if raw == "*" {
                segments.push(Segment::Any(None));
            } else if let Some(name) = raw.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
                if !is_name(name) {
                    return Err(format!(
                        "selector `{text}`: `{{{name}}}` is not a capture name (lowercase letters, digits, `_`)"
                    ));
                }
                if segments
                    .iter()
                    .any(|s| matches!(s, Segment::Any(Some(n)) if n == name))
                {
                    return Err(format!("selector `{text}` captures `{name}` twice"));
                }
                segments.push(Segment::Any(Some(name.to_owned())));
            } else if raw.contains(['{', '}', '*']) {
                return Err(format!(
                    "selector `{text}`: segment `{raw}` mixes a wildcard with text; a segment is a name, `*` or `{{name}}`"
                ));
            } else {
                segments.push(Segment::Literal(unescape_pointer(raw)));
            }
        }
        Ok(Selector {
            text: text.to_owned(),
            segments,
        })
    }

    /// The parsed segments (what [`super::matcher`] compiles).
    pub(super) fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The capture names, in order.
    pub fn captures(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Any(Some(n)) => Some(n.as_str()),
            _ => None,
        })
    }

    /// When the selector starts with `/SECTION/<wildcard>`, the section and the capture name.
    pub fn list_section(&self) -> Option<(&str, Option<&str>)> {
        match (self.segments.first(), self.segments.get(1)) {
            (Some(Segment::Literal(section)), Some(Segment::Any(name))) => {
                Some((section.as_str(), name.as_deref()))
            }
            _ => None,
        }
    }

    /// Every match in `root`.
    pub fn matches<'a>(&self, root: &'a Node) -> Vec<Match<'a>> {
        let mut out = Vec::new();
        self.match_from(0, root, None, String::new(), Vec::new(), &mut out);
        out
    }

    /// Match the segments from `skip` on, starting at `node` (found at `pointer`).
    pub fn match_from<'a>(
        &self,
        skip: usize,
        node: &'a Node,
        key: Option<&'a Node>,
        pointer: String,
        captures: Vec<(String, String)>,
        out: &mut Vec<Match<'a>>,
    ) {
        let Some(segment) = self.segments.get(skip) else {
            out.push(Match {
                pointer,
                key,
                node,
                captures,
            });
            return;
        };
        match (&node.value, segment) {
            (Value::Map(entries), Segment::Literal(want)) => {
                if let Some((k, v)) = entries.iter().find(|(k, _)| k.key_is(want)) {
                    let p = format!("{pointer}/{}", escape_pointer(want));
                    self.match_from(skip + 1, v, Some(k), p, captures, out);
                }
            }
            (Value::Map(entries), Segment::Any(name)) => {
                for (k, v) in entries {
                    let text = k.key_text();
                    let p = format!("{pointer}/{}", escape_pointer(&text));
                    let mut c = captures.clone();
                    if let Some(n) = name {
                        c.push((n.clone(), text));
                    }
                    self.match_from(skip + 1, v, Some(k), p, c, out);
                }
            }
            (Value::Seq(items), Segment::Literal(want)) => {
                if let Some(v) = want.parse::<usize>().ok().and_then(|i| items.get(i)) {
                    let p = format!("{pointer}/{want}");
                    self.match_from(skip + 1, v, None, p, captures, out);
                }
            }
            (Value::Seq(items), Segment::Any(name)) => {
                for (i, v) in items.iter().enumerate() {
                    let mut c = captures.clone();
                    if let Some(n) = name {
                        c.push((n.clone(), i.to_string()));
                    }
                    self.match_from(skip + 1, v, None, format!("{pointer}/{i}"), c, out);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::yaml::parse;

    #[test]
    fn wildcards_capture_keys_and_indices() {
        let root = parse(
            "events:\n  Purchase:\n    parameters: {value: {}, currency: {}}\n  Lead: {}\nrecords: [{a: 1}, {a: 2}]\n",
        )
        .unwrap();
        let s = Selector::parse("/events/{event}/parameters/*").unwrap();
        let m = s.matches(&root);
        let ptrs: Vec<_> = m.iter().map(|m| m.pointer.as_str()).collect();
        assert_eq!(
            ptrs,
            [
                "/events/Purchase/parameters/value",
                "/events/Purchase/parameters/currency"
            ]
        );
        assert_eq!(m[0].captures, [("event".into(), "Purchase".into())]);
        let r = Selector::parse("/records/{i}/a").unwrap().matches(&root);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].pointer, "/records/1/a");
        assert_eq!(r[1].captures, [("i".into(), "1".into())]);
    }

    #[test]
    fn bad_selectors_say_why() {
        assert!(
            Selector::parse("events/*")
                .unwrap_err()
                .contains("start with `/`")
        );
        assert!(Selector::parse("/events//x").is_err());
        assert!(Selector::parse("/events/{Bad}").is_err());
        assert!(Selector::parse("/events/a*").is_err());
        assert!(Selector::parse("/a/{x}/b/{x}").is_err());
    }
}
