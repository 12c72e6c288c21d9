//! The signal incident router in a verify run: every finding whose rule a route `detect`s names
//! the route, the conclusions to pause first and the first action, and the run's closing "what
//! to pause" is grouped by route. Pure: findings and the sheet in, findings and groups out.

use serde::Serialize;

use crate::finding::Finding;
use crate::sheet::Sheet;
use crate::sheet::model::{Keyed, Route, Text};

/// What to pause for one route whose symptom the run's findings indicate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoutePause {
    pub route: String,
    pub symptom: Option<String>,
    pub first_action: Option<String>,
    /// The conclusion ids to pause first.
    pub pause: Vec<String>,
    pub do_not: Option<String>,
    pub owner: Option<String>,
    /// The detected rules that had findings, in the route's `detect` order.
    pub rules: Vec<String>,
    /// How many listed findings indicate the route (a rule's "N more" summary counts once).
    pub findings: u64,
}

/// A sheet text on one line: what a message or a CI annotation can carry.
fn one_line(t: Option<&Text>) -> Option<String> {
    let s = t?.value.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

fn quoted(ids: &[String]) -> String {
    if ids.is_empty() {
        return "nothing listed".into();
    }
    ids.iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn pause_of(r: &Keyed<Route>) -> Vec<String> {
    r.item.pause_ids().into_iter().map(str::to_owned).collect()
}

/// Name the routes of every finding whose rule a route detects (its message says the route and
/// what to pause first, its help starts with the first action), and return the routes that
/// detected something, in sheet order.
pub fn apply(sheet: &Sheet, findings: &mut [Finding]) -> Vec<RoutePause> {
    let mut groups: Vec<RoutePause> = Vec::new();
    for f in findings.iter_mut() {
        let routes: Vec<&Keyed<Route>> = sheet.routes_detecting(&f.rule).collect();
        if routes.is_empty() {
            continue;
        }
        let named: Vec<String> = routes
            .iter()
            .map(|r| format!("`{}` (pause {} first)", r.id.value, quoted(&pause_of(r))))
            .collect();
        let word = if routes.len() == 1 { "route" } else { "routes" };
        f.message = format!("{}; {word} {}", f.message, named.join(", "));
        let actions: Vec<String> = routes
            .iter()
            .filter_map(|r| {
                one_line(r.item.first_action.as_ref()).map(|a| {
                    let a = a.trim_end_matches('.');
                    format!("first action (route `{}`): {a}", r.id.value)
                })
            })
            .collect();
        if !actions.is_empty() {
            let mut help = actions.join("; ");
            if let Some(old) = f.help.take() {
                help = format!("{help}; then {old}");
            }
            f.help = Some(help);
        }
        for r in routes {
            let group = match groups.iter().position(|g| g.route == r.id.value) {
                Some(i) => &mut groups[i],
                None => {
                    groups.push(RoutePause {
                        route: r.id.value.to_string(),
                        symptom: one_line(r.item.symptom.as_ref()),
                        first_action: one_line(r.item.first_action.as_ref()),
                        pause: pause_of(r),
                        do_not: one_line(r.item.do_not.as_ref()),
                        owner: one_line(r.item.owner.as_ref()),
                        rules: Vec::new(),
                        findings: 0,
                    });
                    let last = groups.len() - 1;
                    &mut groups[last]
                }
            };
            group.findings += 1;
            if !group.rules.contains(&f.rule) {
                group.rules.push(f.rule.clone());
            }
        }
    }
    let order = |id: &str| sheet.router.position(id).unwrap_or(usize::MAX);
    groups.sort_by_key(|g| order(&g.route));
    for g in &mut groups {
        if let Some(route) = sheet.router.get(&g.route)
            && let Some(detect) = &route.item.detect
        {
            let pos = |rule: &str| detect.value.iter().position(|t| t.value == rule);
            g.rules.sort_by_key(|r| pos(r));
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::sheet::{build, yaml};
    use crate::source::SourceFile;

    const SHEET: &str = "version: 1
router:
  spike:
    symptom: Meta Purchase rises, orders do not
    first_action: >
      Sample 10 orders and compare
      event_id
    pause: [budget, roas]
    do_not: Do not scale
    owner: tracking
    detect: [order-reconciliation, dedupe-rate]
  drift:
    first_action: Reconcile 10 orders
    pause: [roas]
    detect: [order-reconciliation]
";

    #[test]
    fn detected_findings_name_their_routes_and_are_grouped() {
        let src = SourceFile::new("g.yaml", SHEET);
        let sheet = build::build(&src, yaml::parse(SHEET).unwrap()).0;
        let mut findings = vec![
            Finding::new(
                "dedupe-rate",
                Severity::Error,
                "Purchase dedupe rate 0.5 is below 0.9",
            )
            .with_help("compare the event_id"),
            Finding::new("payload-shape", Severity::Error, "bad"),
            Finding::new(
                "order-reconciliation",
                Severity::Error,
                "3 Purchases without an order",
            ),
        ];
        let groups = apply(&sheet, &mut findings);
        assert_eq!(
            findings[0].message,
            "Purchase dedupe rate 0.5 is below 0.9; route `spike` (pause `budget`, `roas` first)"
        );
        assert_eq!(
            findings[0].help.as_deref(),
            Some(
                "first action (route `spike`): Sample 10 orders and compare event_id; then compare the event_id"
            )
        );
        assert_eq!(findings[1].message, "bad");
        assert_eq!(findings[1].help, None);
        assert_eq!(
            findings[2].message,
            "3 Purchases without an order; routes `spike` (pause `budget`, `roas` first), `drift` (pause `roas` first)"
        );
        let names: Vec<(&str, u64, Vec<&str>)> = groups
            .iter()
            .map(|g| {
                (
                    g.route.as_str(),
                    g.findings,
                    g.rules.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("spike", 2, vec!["order-reconciliation", "dedupe-rate"]),
                ("drift", 1, vec!["order-reconciliation"]),
            ]
        );
        assert_eq!(groups[0].do_not.as_deref(), Some("Do not scale"));
        assert_eq!(groups[0].pause, ["budget", "roas"]);
    }
}
