//! Changed files -> components -> events -> required retests -> records: the pure core of
//! `govsheet retests`. It gets the changed paths as data (the CLI reads git) and returns a plain
//! [`Report`] that every renderer can view, plus the `retest-missing` / `retest-failed` findings.

pub mod gate;
pub mod graph;

// Which record counts lives one layer down (`crate::evidence`), where the policy reads it too.
pub use crate::evidence::{coverage, history, state};

use chrono::NaiveDate;
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};

pub use coverage::{Entered, Status};
pub use graph::{ChangedPath, Direct, Impact};
pub use history::History;

use crate::finding::{Finding, RuleId};
use crate::globs::Matcher;
use crate::sheet::Sheet;
use crate::sheet::yaml::escape_pointer;

/// What the change set was compared against, for the report (e.g. `origin/main...HEAD`).
pub type Compared = Option<String>;

/// The result of `govsheet retests`, as plain data.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// What was compared, when it came from git (`origin/main...HEAD (merge base 1a2b3c4)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compared: Compared,
    pub changed_files: Vec<String>,
    /// Changed paths left out because they are outside the component root.
    #[serde(skip_serializing_if = "is_zero")]
    pub outside_root: usize,
    pub components: Vec<String>,
    pub events: Vec<String>,
    pub required: Vec<Required>,
    pub paused: Vec<Paused>,
    /// Open incidents on the touched events.
    pub incidents: Vec<OpenIncident>,
    /// What the range changed in the sheet, when the merge base has one (`retest::gate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub governance: Option<gate::Governance>,
}

/// One required retest.
#[derive(Debug, Clone, Serialize)]
pub struct Required {
    pub retest: String,
    pub status: Status,
    /// The why-chains: `[file, component, ..., event]`, one array per file and route
    /// (at most 50 routes and 10 files a route; `because_not_shown` counts the rest).
    #[serde(serialize_with = "because_arrays")]
    pub because: Vec<Why>,
    /// Why-chains beyond the kept ones, only counted.
    #[serde(skip_serializing_if = "is_zero")]
    pub because_not_shown: usize,
    pub change_date: String,
    /// The change commit (the newest commit behind the retest), when there is a history;
    /// `index` for `--staged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_commit: Option<String>,
    pub record: Option<RecordSummary>,
    /// The status in words ("the latest record, a pass on 2026-11-01, is before the change ...").
    pub reason: String,
    pub title: Option<String>,
    pub owner: Option<String>,
    pub method: Option<String>,
    pub max_age_days: Option<u32>,
    /// Whether the retest is defined in the sheet's `retests`.
    pub defined: bool,
}

/// A why-chain shared by the files that matched the same first component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Why {
    pub files: Vec<String>,
    /// From the component the files matched to the component that requires the retest.
    pub components: Vec<String>,
    pub event: Option<String>,
}

/// The record a verdict rests on.
#[derive(Debug, Clone, Serialize)]
pub struct RecordSummary {
    pub date: String,
    pub result: String,
    pub by: Option<String>,
    pub evidence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub file: String,
    pub line: usize,
    /// Where the record entered the history ("commit 1a2b3c4d5e6f", "the index", "the merge
    /// base ..."), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered: Option<String>,
}

/// The conclusions to pause for an affected event, from its `rollback.pause`.
#[derive(Debug, Clone, Serialize)]
pub struct Paused {
    pub event: String,
    pub conclusions: Vec<String>,
    /// The event's required retests that are missing or failed: pause until they pass.
    pub until: Vec<String>,
}

/// An open incident on an affected event.
#[derive(Debug, Clone, Serialize)]
pub struct OpenIncident {
    pub id: Option<String>,
    pub status: String,
    pub events: Vec<String>,
    /// What it pauses: its own `paused`, or its route's when it writes none.
    pub paused: Vec<String>,
    /// The router route it follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    pub file: String,
    pub line: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn because_arrays<S: Serializer>(whys: &[Why], s: S) -> Result<S::Ok, S::Error> {
    let total = whys.iter().map(|w| w.files.len()).sum();
    let mut seq = s.serialize_seq(Some(total))?;
    for w in whys {
        for f in &w.files {
            let mut chain: Vec<&str> = Vec::with_capacity(w.components.len() + 2);
            chain.push(f);
            chain.extend(w.components.iter().map(String::as_str));
            chain.extend(w.event.as_deref());
            seq.serialize_element(&chain)?;
        }
    }
    seq.end()
}

fn text(t: Option<&crate::sheet::model::Text>) -> Option<String> {
    t.map(|t| t.value.to_string())
}

fn summary(e: &Entered<'_>, history: &History) -> RecordSummary {
    let r = e.record;
    RecordSummary {
        date: r.date.as_ref().map(|d| d.raw.clone()).unwrap_or_default(),
        result: text(r.result.as_ref()).unwrap_or_default(),
        by: text(r.by.as_ref()),
        evidence: text(r.evidence.as_ref()),
        notes: text(r.notes.as_ref()),
        commit: text(r.commit.as_ref()),
        file: r.source.name.clone(),
        line: r.source.location(r.span.start).line,
        entered: history.is_some().then(|| history.label(e.at)),
    }
}

/// What coverage is judged by, the same for every sheet of a run: the records with where each
/// entered `history` (see [`coverage`]), the change date of paths that carry none (today, or
/// `--since`), and today.
#[derive(Clone, Copy)]
pub struct Judging<'a> {
    pub records: &'a [Entered<'a>],
    pub history: &'a History,
    pub default_date: NaiveDate,
    pub today: NaiveDate,
}

/// Compute the report: impact through the graph, then coverage by the records, each with
/// where it entered `history` (see [`coverage`]). `default_date` is the change date of paths
/// that carry none (today, or `--since`).
pub fn evaluate(
    sheet: &Sheet,
    matcher: &Matcher,
    changed: Vec<ChangedPath>,
    records: &[Entered<'_>],
    history: &History,
    default_date: NaiveDate,
    today: NaiveDate,
) -> Report {
    let judging = Judging {
        records,
        history,
        default_date,
        today,
    };
    evaluate_with(sheet, matcher, changed, &Direct::default(), judging)
}

/// [`evaluate`], with events the change touches directly (see [`graph::Direct`]).
pub fn evaluate_with(
    sheet: &Sheet,
    matcher: &Matcher,
    changed: Vec<ChangedPath>,
    direct: &Direct,
    judging: Judging<'_>,
) -> Report {
    let Judging {
        records,
        history,
        default_date,
        today,
    } = judging;
    let impact = graph::impact_with(sheet, matcher, changed, direct, default_date);
    let comps = sheet.components.iter().as_slice();
    let events = sheet.events.iter().as_slice();
    let mut required = Vec::with_capacity(impact.required.len());
    for req in &impact.required {
        let def = sheet.retests.get(&req.retest);
        let max_age = def
            .and_then(|d| d.item.max_age.as_ref())
            .and_then(|m| m.value);
        let change = coverage::Change {
            at: req.change_at,
            date: req.change_date,
        };
        let cov = coverage::cover(records, &req.retest, change, today, max_age, history);
        let because = req
            .chains
            .iter()
            .map(|c| Why {
                files: c
                    .files
                    .iter()
                    .map(|&f| impact.files[f].path.clone())
                    .collect(),
                components: c
                    .components
                    .iter()
                    .map(|&x| comps[x].id.value.to_string())
                    .collect(),
                event: c.event.map(|e| events[e].id.value.to_string()),
            })
            .collect();
        required.push(Required {
            retest: req.retest.clone(),
            status: cov.status,
            because,
            because_not_shown: req.chains_not_kept,
            change_date: req.change_date.to_string(),
            change_commit: history.commit(req.change_at).map(|c| c.id.clone()),
            record: cov.record.as_ref().map(|e| summary(e, history)),
            reason: cov.reason,
            title: def.and_then(|d| text(d.item.title.as_ref())),
            owner: def.and_then(|d| text(d.item.owner.as_ref())),
            method: def.and_then(|d| text(d.item.method.as_ref())),
            max_age_days: max_age,
            defined: def.is_some(),
        });
    }

    let event_names: Vec<String> = impact
        .events
        .iter()
        .map(|&e| events[e].id.value.to_string())
        .collect();
    let paused = impact
        .events
        .iter()
        .filter_map(|&e| {
            let ev = &events[e];
            let pause = ev.item.rollback.as_ref()?.pause.as_ref()?;
            let conclusions: Vec<String> =
                pause.value.iter().map(|t| t.value.to_string()).collect();
            if conclusions.is_empty() {
                return None;
            }
            let wanted = sheet.graph().event_retests(e);
            let until = required
                .iter()
                .filter(|r| r.status != Status::Covered && wanted.contains(&r.retest))
                .map(|r| r.retest.clone())
                .collect();
            Some(Paused {
                event: ev.id.value.to_string(),
                conclusions,
                until,
            })
        })
        .collect();
    let incidents = sheet
        .incidents
        .iter()
        .filter(|i| i.is_open())
        .filter(|i| {
            i.events
                .iter()
                .any(|e| event_names.iter().any(|n| *n == e.value))
        })
        .map(|i| OpenIncident {
            id: text(i.id.as_ref()),
            status: text(i.status.as_ref()).unwrap_or_else(|| "open".into()),
            events: i.events.iter().map(|t| t.value.to_string()).collect(),
            paused: sheet
                .incident_plan(i)
                .paused
                .iter()
                .map(|p| p.to_string())
                .collect(),
            route: text(i.route.as_ref()),
            file: i.source.name.clone(),
            line: i.source.location(i.span.start).line,
        })
        .collect();

    Report {
        compared: None,
        outside_root: 0,
        changed_files: impact.files.into_iter().map(|f| f.path).collect(),
        components: impact
            .components
            .iter()
            .map(|&c| comps[c].id.value.to_string())
            .collect(),
        events: event_names,
        required,
        paused,
        incidents,
        governance: None,
    }
}

/// `file -> component -> ... -> event`
pub fn chain_text(file: &str, why: &Why) -> String {
    let mut parts = vec![file];
    parts.extend(why.components.iter().map(String::as_str));
    parts.extend(why.event.as_deref());
    parts.join(" -> ")
}

/// Where a retest is defined, or else the first place that asks for it.
fn locate(sheet: &Sheet, retest: &str) -> (String, Option<crate::source::Span>) {
    if let Some(def) = sheet.retests.get(retest) {
        return (def.pointer.clone(), Some(def.id.span));
    }
    let lists = sheet
        .events
        .iter()
        .map(|e| (&e.pointer, e.item.retests.as_ref()))
        .chain(
            sheet
                .components
                .iter()
                .map(|c| (&c.pointer, c.item.retests.as_ref())),
        );
    for (pointer, list) in lists {
        let Some(list) = list else { continue };
        if let Some(i) = list.value.iter().position(|t| t.as_str() == retest) {
            return (format!("{pointer}/retests/{i}"), Some(list.value[i].span));
        }
    }
    (format!("/retests/{}", escape_pointer(retest)), None)
}

/// A `--evidence` value that needs no quoting explanation in the help text.
const EVIDENCE_HINT: &str = "\"LINK OR WHAT YOU SAW\"";

/// The `retest-missing` and `retest-failed` findings of a report, at each retest's definition.
pub fn findings(sheet: &Sheet, report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in &report.required {
        let rule = match r.status {
            Status::Covered => continue,
            Status::Missing => RuleId::RetestMissing,
            Status::Failed => RuleId::RetestFailed,
        };
        let first = r
            .because
            .first()
            .and_then(|w| w.files.first().map(|f| chain_text(f, w)))
            .unwrap_or_default();
        let chains: usize =
            r.because.iter().map(|w| w.files.len()).sum::<usize>() + r.because_not_shown;
        let more = if chains > 1 {
            format!(" and {} more", chains - 1)
        } else {
            String::new()
        };
        let verdict = match r.status {
            Status::Failed => "failed",
            _ => "is not covered",
        };
        let message = format!(
            "retest `{}` {verdict} for the change of {}: {} (required by {first}{more})",
            r.retest, r.change_date, r.reason
        );
        let owner = r.owner.as_deref().unwrap_or("OWNER");
        let mut help = String::new();
        if r.status == Status::Failed {
            help.push_str("fix the cause and run the retest again; ");
        } else if r.method.is_some() {
            help.push_str("run it as its `method` says; ");
        }
        if r.defined {
            help.push_str(&format!(
                "then record the result: govsheet record {} --result pass --by {owner} --evidence {EVIDENCE_HINT}",
                r.retest
            ));
        } else {
            help.push_str(&format!(
                "`{}` is not defined under `retests`: define it (title, method, owner), then record its result with govsheet record",
                r.retest
            ));
        }
        let (pointer, span) = locate(sheet, &r.retest);
        let mut f = Finding::of(rule, message)
            .at(&sheet.source, pointer, span)
            .with_help(help);
        f.changed = r.because.iter().find_map(|w| w.files.first().cloned());
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{build, yaml};
    use crate::source::SourceFile;

    const SHEET: &str = "\
version: 1
events:
  Purchase:
    triggers: [checkout]
    retests: [purchase-dedupe, ghost]
    rollback: {pause: [budget, roas]}
components:
  checkout:
    paths: ['checkout/**']
retests:
  purchase-dedupe: {title: Dedupe, owner: tracking, method: place 3 orders, max_age: 30d}
records:
  - {retest: purchase-dedupe, date: 2026-11-21, result: pass, by: tracking, evidence: run 1}
incidents:
  - {id: inc-1, events: [Purchase], paused: [budget], status: monitoring}
  - {id: inc-0, events: [Purchase], status: resolved}
";

    /// `text` evaluated for `changed` as of `today`, with its own records and no history.
    fn evaluate_text(text: &str, changed: Vec<ChangedPath>, today: NaiveDate) -> (Sheet, Report) {
        let src = SourceFile::new("g.yaml", text);
        let sheet = build::build(&src, yaml::parse(text).unwrap()).0;
        let (m, _) = Matcher::new(&sheet.components);
        let records = coverage::without_history(&sheet.records);
        let r = evaluate(
            &sheet,
            &m,
            changed,
            &records,
            &History::default(),
            today,
            today,
        );
        (sheet, r)
    }

    fn report(paths: &[&str], today: NaiveDate) -> (Sheet, Report) {
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let changed = paths
            .iter()
            .map(|p| ChangedPath::new(*p, Some(d)))
            .collect();
        evaluate_text(SHEET, changed, today)
    }

    #[test]
    fn open_incidents_pause_what_their_route_pauses() {
        let text = "version: 1\nevents:\n  Purchase: {triggers: [checkout]}\ncomponents:\n  checkout: {paths: ['checkout/**']}\nrouter:\n  spike: {pause: [budget, roas], first_action: sample orders}\nincidents:\n  - {id: inc-2, events: [Purchase], route: spike}\n";
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let changed = vec![ChangedPath::new("checkout/a.js", Some(today))];
        let (_, r) = evaluate_text(text, changed, today);
        assert_eq!(r.incidents.len(), 1);
        assert_eq!(r.incidents[0].paused, vec!["budget", "roas"]);
        assert_eq!(r.incidents[0].route.as_deref(), Some("spike"));
    }

    #[test]
    fn covered_missing_unknown_and_the_json_shape() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let (sheet, r) = report(&["checkout/a.js", "README.md"], today);
        assert_eq!(r.changed_files, vec!["README.md", "checkout/a.js"]);
        assert_eq!(r.components, vec!["checkout"]);
        assert_eq!(r.events, vec!["Purchase"]);
        assert_eq!(r.required.len(), 2);
        assert_eq!(r.required[0].status, Status::Covered);
        assert_eq!(r.required[1].retest, "ghost");
        assert_eq!(r.required[1].status, Status::Missing);
        assert_eq!(r.paused[0].conclusions, vec!["budget", "roas"]);
        assert_eq!(r.paused[0].until, vec!["ghost"]);
        assert_eq!(r.incidents.len(), 1);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json["required"][0]["because"],
            serde_json::json!([["checkout/a.js", "checkout", "Purchase"]])
        );
        assert_eq!(json["required"][0]["change_date"], "2026-11-20");
        assert_eq!(json["required"][0]["record"]["date"], "2026-11-21");
        assert_eq!(json["required"][0]["record"]["by"], "tracking");
        let f = findings(&sheet, &r);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, "retest-missing");
        assert_eq!(f[0].pointer, "/events/Purchase/retests/1");
        assert!(f[0].message.contains("`ghost`"), "{}", f[0].message);
    }

    #[test]
    fn expired_record_is_missing_and_the_finding_points_at_the_definition() {
        // the pass of 2026-11-21 is 31 days old on 2026-12-22; max_age is 30d
        let today = NaiveDate::from_ymd_opt(2026, 12, 22).unwrap();
        let (sheet, r) = report(&["checkout/a.js"], today);
        assert_eq!(r.required[0].status, Status::Missing);
        assert!(
            r.required[0].reason.contains("31 days old"),
            "{}",
            r.required[0].reason
        );
        let f = findings(&sheet, &r);
        assert_eq!(f[0].rule, "retest-missing");
        assert_eq!(f[0].pointer, "/retests/purchase-dedupe");
        assert_eq!(f[0].line(), Some(11));
        let help = f[0].help.as_deref().unwrap();
        assert!(
            help.contains("govsheet record purchase-dedupe --result pass --by tracking"),
            "{help}"
        );
    }
}
