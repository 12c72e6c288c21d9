//! Where each retest of the sheet stands as of today, and which retests an event has: the
//! one answer the document's Stop/Go gate and `check`'s `retest-stale` rule both read. The
//! record that decides is [`coverage::cover`]'s. Pure: the sheet and "today" in, states out.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{History, coverage};
use crate::sheet::model::{Keyed, Record, Retest, Sheet};

/// Where a retest stands as of today, judged by its newest record dated on or before today.
#[derive(Debug, Clone, PartialEq)]
pub enum RetestState {
    /// The newest record passed and is within `max_age`.
    Pass,
    /// The newest record says `not-needed` (covers like a pass; always shown as such).
    NotNeeded,
    /// The newest record failed.
    Failed,
    /// The newest record passed but is older than `max_age`.
    Stale { age_days: i64, max_age: u32 },
    /// The newest record has a result that is neither pass, fail nor not-needed.
    Unreadable(String),
    /// No record at all (records dated after today do not count).
    Missing,
    /// No usable record: the newest is a pass or not-needed lacking `by`, evidence or (for a
    /// not-needed) notes, which covers nothing. Holds [`coverage::incomplete`]'s words.
    Incomplete(String),
}

impl RetestState {
    /// Whether the retest currently covers its events.
    pub fn covers(&self) -> bool {
        matches!(self, RetestState::Pass | RetestState::NotNeeded)
    }

    /// Why the retest does not cover its events, after its id ("retest `x` failed on DATE"),
    /// with `date` the deciding record's: the words the document and `retest-stale` share.
    pub fn why(&self, date: Option<&str>) -> String {
        let on = date.unwrap_or("-");
        match self {
            RetestState::Failed => format!("failed on {on}"),
            RetestState::Stale { age_days, max_age } => {
                format!("last passed {on}, {age_days} days ago (max_age {max_age} days)")
            }
            RetestState::Unreadable(r) => format!("has an unreadable result `{r}` ({on})"),
            RetestState::Missing => "has no record".into(),
            RetestState::Incomplete(what) => {
                format!("has no usable record: the latest, {what}, covers nothing")
            }
            RetestState::Pass | RetestState::NotNeeded => "covers it".into(),
        }
    }
}

/// A retest with its newest record and what that means today.
#[derive(Debug, Clone)]
pub struct RetestStatus<'a> {
    pub id: String,
    pub retest: Option<&'a Keyed<Retest>>,
    pub latest: Option<&'a Record>,
    pub state: RetestState,
}

/// The newest record of a retest dated on or before today, whatever its result: only to see
/// whether an unreadable record is newer than the one [`coverage::cover`] decides by (which
/// skips it). Which record decides is `coverage`'s, never this.
fn latest_record<'a>(
    records: &[coverage::Entered<'a>],
    retest: &str,
    today: NaiveDate,
) -> Option<&'a Record> {
    records
        .iter()
        .map(|e| e.record)
        .enumerate()
        .filter(|(_, r)| r.retest.as_ref().is_some_and(|t| t.value == retest))
        .filter_map(|(i, r)| {
            let d = r.date.as_ref()?.date?;
            (d <= today).then_some((d, i, r))
        })
        .max_by_key(|(d, i, _)| (*d, *i))
        .map(|(_, _, r)| r)
}

/// The status of one retest id as of today: the record that decides is the one
/// `retests` would pick for a change made before every record ([`coverage::cover`] over the
/// records on disk, the listed-files mode), so the document and the gate agree. A newer
/// record whose result is none of pass, fail or not-needed makes the state unreadable.
pub fn retest_status<'a>(sheet: &'a Sheet, id: &str, today: NaiveDate) -> RetestStatus<'a> {
    let records: Vec<coverage::Entered<'a>> = coverage::without_history(&sheet.records)
        .into_iter()
        .filter(|e| e.record.retest.as_ref().is_some_and(|t| t.value == id))
        .collect();
    retest_status_of(sheet, id, &records, today)
}

/// The sheet's records grouped by the retest they name, in sheet order: for a caller asking
/// for many retests' status ([`retest_status_of`]) without walking every record each time.
pub fn records_by_retest(sheet: &Sheet) -> HashMap<&str, Vec<coverage::Entered<'_>>> {
    let mut map: HashMap<&str, Vec<coverage::Entered<'_>>> = HashMap::new();
    for e in coverage::without_history(&sheet.records) {
        if let Some(t) = &e.record.retest {
            map.entry(t.as_str()).or_default().push(e);
        }
    }
    map
}

/// [`retest_status`] with the sheet's records of `id` already picked out
/// ([`records_by_retest`]); any other record in `records` is ignored.
pub fn retest_status_of<'a>(
    sheet: &'a Sheet,
    id: &str,
    records: &[coverage::Entered<'a>],
    today: NaiveDate,
) -> RetestStatus<'a> {
    let retest = sheet.retests.get(id);
    let max_age = retest
        .and_then(|r| r.item.max_age.as_ref())
        .and_then(|m| m.value);
    let change = coverage::Change {
        at: 0,
        date: NaiveDate::MIN,
    };
    let cov = coverage::cover(records, id, change, today, max_age, &History::default());
    let decided = cov.record.map(|e| e.record);
    let date_of = |r: &Record| r.date.as_ref().and_then(|d| d.date);
    // A newer record that is not a known result: shown as unreadable rather than skipped.
    if let Some(rec) = latest_record(records, id, today) {
        let result = rec.result.as_ref().map(|r| r.value.as_str()).unwrap_or("");
        let newer = decided.is_none_or(|d| date_of(rec) >= date_of(d));
        if newer && !matches!(result, "pass" | "fail" | "not-needed") {
            return RetestStatus {
                id: id.to_owned(),
                retest,
                latest: Some(rec),
                state: RetestState::Unreadable(result.to_owned()),
            };
        }
    }
    let state = match (cov.status, decided) {
        (_, None) => match coverage::incomplete(records, id, today) {
            Some(what) => RetestState::Incomplete(what),
            None => RetestState::Missing,
        },
        (coverage::Status::Failed, Some(_)) => RetestState::Failed,
        (coverage::Status::Missing, Some(rec)) => RetestState::Stale {
            age_days: date_of(rec).map_or(0, |d| (today - d).num_days()),
            max_age: max_age.unwrap_or(0),
        },
        (coverage::Status::Covered, Some(rec)) => {
            if rec.result.as_ref().is_some_and(|r| r.value == "not-needed") {
                RetestState::NotNeeded
            } else {
                RetestState::Pass
            }
        }
    };
    RetestStatus {
        id: id.to_owned(),
        retest,
        latest: decided,
        state,
    }
}

/// The retests of an event: the ones it lists, then the retests that list it in `events` (the
/// sheet's graph, [`Sheet::graph`], the one answer every command reads).
pub fn retests_of_event(sheet: &Sheet, event: &str) -> Vec<String> {
    let e = sheet.events.position(event);
    e.map_or_else(Vec::new, |e| sheet.graph().event_retests(e).to_vec())
}

/// The conclusions a stopped event pauses: the `rollback.pause` lists of `events`, in order,
/// each once. The one answer for "what does stopping these events pause" that the document,
/// `retest-stale`, `incident-open` and `incident open` give.
pub fn rollback_pauses<'a, 'e>(
    sheet: &'a Sheet,
    events: impl IntoIterator<Item = &'e str>,
) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = Vec::new();
    for ev in events.into_iter().filter_map(|e| sheet.events.get(e)) {
        let pause = ev.item.rollback.as_ref().and_then(|r| r.pause.as_ref());
        for c in pause.map_or(&[][..], |p| &p.value[..]) {
            if !out.contains(&c.as_str()) {
                out.push(c.as_str());
            }
        }
    }
    out
}
