//! Incident files as `govsheet incident` writes them: a new incident opened from a router route
//! as YAML text and its file name, and the resolution written into an existing incident file as
//! a targeted edit of its text (the user's comments and layout kept), verified by parsing the
//! result again. Pure: the CLI reads and writes the files.

use super::record_file::quote;
use super::yaml::{self, Node, Value};
use super::{build, model};
use crate::source::SourceFile;

/// The fields of an incident that `govsheet incident open` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    pub id: String,
    pub opened: String,
    pub route: String,
    pub events: Vec<String>,
    pub symptom: Option<String>,
    pub first_action: Option<String>,
    pub paused: Vec<String>,
    pub owner: Option<String>,
}

fn quoted_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| quote(i)).collect();
    format!("[{}]", items.join(", "))
}

/// The YAML text of a new incident file.
pub fn to_yaml(i: &NewIncident) -> String {
    let mut out = format!(
        "# written by govsheet incident open {}: write what you actually see in `symptom`,\n\
         # the change you suspect in `suspected_change` (a component id), and resolve it with\n\
         # govsheet incident resolve {} --fix TEXT --resume-when TEXT\n",
        i.route, i.id
    );
    let mut field = |k: &str, v: String| {
        out.push_str(k);
        out.push_str(": ");
        out.push_str(&v);
        out.push('\n');
    };
    field("id", quote(&i.id));
    field("opened", quote(&i.opened));
    field("route", quote(&i.route));
    field("events", quoted_list(&i.events));
    if let Some(s) = &i.symptom {
        field("symptom", quote(s));
    }
    if let Some(a) = &i.first_action {
        field("first_action", quote(a));
    }
    // An empty list would pause nothing for good; left out, the route's `pause` applies.
    if !i.paused.is_empty() {
        field("paused", quoted_list(&i.paused));
    }
    if let Some(o) = &i.owner {
        field("owner", quote(o));
    }
    field("status", quote("open"));
    out
}

/// Keep only characters that cannot leave a folder or confuse a shell in a file name.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The id of a new incident, `DATE-ROUTE-SUFFIX`: the suffix (random per run, given by the
/// CLI) keeps two branches that open the same route on the same day from writing one path.
pub fn new_id(date: &str, route: &str, suffix: &str) -> String {
    format!("{date}-{}-{}", safe(route), safe(suffix))
}

/// The file an incident id is written to.
pub fn file_name(id: &str) -> String {
    format!("{}.yaml", safe(id))
}

/// The resolution `govsheet incident resolve` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub resolved: String,
    pub fix: String,
    pub resume_when: String,
}

/// Where the written values are, in order: the keys an incident resolution sets.
const KEYS: [&str; 4] = ["status", "resolved", "fix", "resume_when"];

impl Resolution {
    fn value(&self, key: &str) -> &str {
        match key {
            "status" => "resolved",
            "resolved" => &self.resolved,
            "fix" => &self.fix,
            _ => &self.resume_when,
        }
    }
}

/// The byte just after a node and everything under it (map and list spans only cover their
/// start, and a block scalar's span ends after its last line break).
fn node_end(n: &Node) -> usize {
    let own = n.span.end();
    match &n.value {
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| k.span.end().max(node_end(v)))
            .fold(own, usize::max),
        Value::Seq(items) => items.iter().map(node_end).fold(own, usize::max),
        _ => own,
    }
}

/// The incident map at `pointer` (`""` for a file holding one incident, `/N` for an item of a
/// list).
fn target<'a>(root: &'a Node, pointer: &str) -> Option<&'a Node> {
    let node = if pointer.is_empty() {
        root
    } else {
        root.walk(pointer)?.1
    };
    node.as_map().map(|_| node)
}

/// One text replacement: the byte range and what goes there.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// Write the resolution into the incident at `pointer` of an incident file: each key the
/// incident already has gets its value replaced where it stands (a trailing comment kept), the
/// others are added after its last entry at its indentation. The result is parsed again and
/// must hold exactly the new values, with everything else in the file unchanged; `Err` says
/// why the text could not be edited safely (the file is then left as it is).
pub fn resolve_text(text: &str, pointer: &str, r: &Resolution) -> Result<String, String> {
    let root = yaml::parse(text).map_err(|e| format!("the file is not valid YAML: {e:?}"))?;
    let map = target(&root, pointer).ok_or("the incident is not a map")?;
    let entries = map.as_map().unwrap_or_default();
    let first_key = entries
        .first()
        .map(|(k, _)| k)
        .ok_or("the incident is empty")?;
    if text[map.span.start..].starts_with('{') || text[first_key.span.start..].starts_with('{') {
        return Err("the incident is written in flow style (`{...}`)".into());
    }
    let indent_start = text[..first_key.span.start]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let column = first_key.span.start - indent_start;
    let mut edits = Vec::new();
    let mut missing = Vec::new();
    for key in KEYS {
        let value = quote(r.value(key));
        match map.entry(key) {
            Some((k, v)) => {
                if matches!(v.value, Value::Map(_) | Value::Seq(_)) {
                    return Err(format!("`{key}` holds a map or a list"));
                }
                let after_key = k.span.end();
                let colon = text[after_key..]
                    .find(|c: char| c != ' ' && c != '\t')
                    .map(|i| after_key + i)
                    .filter(|&i| text[i..].starts_with(':'))
                    .ok_or_else(|| format!("`{key}` is not followed by `:`"))?;
                let end = v.span.end().max(colon + 1);
                let mut text_new = format!(": {value}");
                if text[..end].ends_with('\n') {
                    text_new.push('\n');
                }
                edits.push(Edit {
                    start: after_key,
                    end,
                    text: text_new,
                });
            }
            None => missing.push(format!("{}{key}: {value}\n", " ".repeat(column))),
        }
    }
    if !missing.is_empty() {
        let last = node_end(map);
        let at = if text[..last].ends_with('\n') {
            last
        } else {
            text[last..].find('\n').map_or(text.len(), |i| last + i + 1)
        };
        let mut add = String::new();
        if at == text.len() && !text.ends_with('\n') {
            add.push('\n');
        }
        add.push_str(&missing.concat());
        edits.push(Edit {
            start: at,
            end: at,
            text: add,
        });
    }
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(text.len() + 256);
    let mut at = 0;
    for e in &edits {
        if e.start < at {
            return Err("two edits overlap".into());
        }
        out.push_str(&text[at..e.start]);
        out.push_str(&e.text);
        at = e.end;
    }
    out.push_str(&text[at..]);
    verify(text, &out, pointer, r)?;
    Ok(out)
}

/// The document as JSON with the resolution's keys taken out of the incident at `pointer`.
fn without_resolution(root: &Node, pointer: &str) -> serde_json::Value {
    let mut json = root.to_json();
    let slot = if pointer.is_empty() {
        Some(&mut json)
    } else {
        json.pointer_mut(pointer)
    };
    if let Some(serde_json::Value::Object(m)) = slot {
        for k in KEYS {
            m.remove(k);
        }
    }
    json
}

/// The edited text reads back as the resolution, and nothing else changed.
fn verify(before: &str, after: &str, pointer: &str, r: &Resolution) -> Result<(), String> {
    let old = yaml::parse(before).map_err(|_| "the file is not valid YAML")?;
    let new = yaml::parse(after).map_err(|_| "the edited file would not be valid YAML")?;
    if without_resolution(&old, pointer) != without_resolution(&new, pointer) {
        return Err("the edit would change more than the resolution".into());
    }
    let src = SourceFile::new("edited.yaml", after);
    let (incidents, findings) = build::build_incidents(&src, &new);
    if !findings.is_empty() {
        return Err("the resolved date is not a calendar date".into());
    }
    let inc = incidents
        .iter()
        .find(|i| i.pointer == pointer)
        .ok_or("the incident is gone from the edited file")?;
    let got = |t: &Option<model::Text>| t.as_ref().map(|t| t.value.clone());
    let ok = got(&inc.status).as_deref() == Some("resolved")
        && inc.resolved.as_ref().map(|d| d.raw.as_str()) == Some(r.resolved.as_str())
        && got(&inc.fix).as_deref() == Some(r.fix.as_str())
        && got(&inc.resume_when).as_deref() == Some(r.resume_when.as_str());
    if ok {
        Ok(())
    } else {
        Err("the edited file does not read back as the resolution".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res() -> Resolution {
        Resolution {
            resolved: "2026-11-26".into(),
            fix: "Data sharing back to \"Standard\": # not a comment".into(),
            resume_when: "Three days within 3%\nof paid orders".into(),
        }
    }

    fn read(text: &str) -> Vec<model::Incident> {
        let src = SourceFile::new("i.yaml", text);
        build::build_incidents(&src, &yaml::parse(text).unwrap()).0
    }

    #[test]
    fn a_new_incident_reads_back() {
        let n = NewIncident {
            id: new_id("2026-11-25", "purchase-spike", "a1b2c3"),
            opened: "2026-11-25".into(),
            route: "purchase-spike".into(),
            events: vec!["Purchase".into()],
            symptom: Some("Meta Purchase rises: \"orders\" do not # really".into()),
            first_action: Some("sample 10 orders\n- compare event_id".into()),
            paused: vec!["budget".into(), "roas".into()],
            owner: Some("tracking".into()),
        };
        assert_eq!(n.id, "2026-11-25-purchase-spike-a1b2c3");
        assert_eq!(file_name(&n.id), "2026-11-25-purchase-spike-a1b2c3.yaml");
        assert_eq!(file_name("../x/y"), "---x-y.yaml");
        let back = read(&to_yaml(&n));
        let i = &back[0];
        assert_eq!(i.id.as_ref().unwrap().value, n.id);
        assert_eq!(i.route.as_ref().unwrap().value, "purchase-spike");
        assert_eq!(
            i.symptom.as_ref().unwrap().value,
            n.symptom.clone().unwrap()
        );
        assert_eq!(
            i.first_action.as_ref().unwrap().value,
            n.first_action.clone().unwrap()
        );
        assert!(i.paused_set);
        assert_eq!(i.paused.len(), 2);
        assert!(i.is_open());
        assert_eq!(i.opened.as_ref().unwrap().raw, "2026-11-25");
    }

    #[test]
    fn resolving_keeps_comments_and_replaces_values_where_they_stand() {
        let text = "# my notes\nid: inc-1 # the id\nopened: 2026-11-20\nstatus: open # still open\nfix: >\n  not yet\n  known\n\n# before events\nevents:\n  - Purchase\n";
        let out = resolve_text(text, "", &res()).unwrap();
        assert!(out.starts_with("# my notes\nid: inc-1 # the id\n"), "{out}");
        assert!(out.contains("status: \"resolved\" # still open\n"), "{out}");
        assert!(
            out.contains("# before events\nevents:\n  - Purchase\n"),
            "{out}"
        );
        assert!(
            out.ends_with(
                "resolved: \"2026-11-26\"\nresume_when: \"Three days within 3%\\nof paid orders\"\n"
            ),
            "{out}"
        );
        let i = &read(&out)[0];
        assert_eq!(i.fix.as_ref().unwrap().value, res().fix);
        assert!(!i.is_open());
    }

    #[test]
    fn resolving_one_item_of_a_list_leaves_the_others_alone() {
        let text = "- id: a\n  status: open\n  events: [Purchase]\n- id: b\n  status: open\n  events:\n    - Lead\n# end\n";
        let out = resolve_text(text, "/1", &res()).unwrap();
        let all = read(&out);
        assert!(all[0].is_open());
        assert!(!all[1].is_open());
        assert_eq!(all[1].events[0].value, "Lead");
        assert!(out.starts_with("- id: a\n  status: open\n"), "{out}");
        assert!(
            out.contains("    - Lead\n  resolved: \"2026-11-26\"\n"),
            "{out}"
        );
        assert!(out.ends_with("# end\n"), "{out}");
        // Without a final line break.
        let out = resolve_text("id: a\nstatus: open", "", &res()).unwrap();
        assert!(!read(&out)[0].is_open(), "{out}");
        // An empty value.
        let out = resolve_text("id: a\nfix:\nstatus: open\n", "", &res()).unwrap();
        assert_eq!(read(&out)[0].fix.as_ref().unwrap().value, res().fix);
    }

    #[test]
    fn what_cannot_be_edited_safely_is_refused() {
        assert!(resolve_text("{id: a, status: open}\n", "", &res()).is_err());
        assert!(resolve_text("- {id: a}\n", "/0", &res()).is_err());
        assert!(resolve_text("id: a\nfix: [x]\n", "", &res()).is_err());
        assert!(resolve_text("id: a\n", "/3", &res()).is_err());
        let bad = Resolution {
            resolved: "2026-02-30".into(),
            ..res()
        };
        assert!(resolve_text("id: a\n", "", &bad).is_err());
    }
}
