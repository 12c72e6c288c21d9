//! Which record counts for a required retest: the one place that decides it, for every mode
//! (a commit range, the index, listed files) and every command. A record covers a change when
//! it entered the history at the change commit or after it, is dated between the change and
//! today, is within `max_age`, and passes (or is a not-needed with notes). The newest such
//! record decides, ordered by where it entered and then by date; on a tie a fail wins. Pure:
//! the records and where they entered are already known.

use chrono::NaiveDate;
use serde::Serialize;

use super::history::{History, Position};
use crate::sheet::model::Record;

/// The state of one required retest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Covered,
    Missing,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Covered => "covered",
            Status::Missing => "missing",
            Status::Failed => "failed",
        }
    }
}

/// A record and the position at which it entered the history (0: before the range, or a
/// listed run where every record on disk counts).
#[derive(Debug, Clone, Copy)]
pub struct Entered<'a> {
    pub record: &'a Record,
    pub at: Position,
}

/// Every record at position 0: the listed-files mode, where there is no history.
pub fn without_history(records: &[Record]) -> Vec<Entered<'_>> {
    records
        .iter()
        .map(|record| Entered { record, at: 0 })
        .collect()
}

/// The change a retest is required for: the change commit's position and date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub at: Position,
    pub date: NaiveDate,
}

/// The verdict for one retest and the record it rests on.
#[derive(Debug, Clone)]
pub struct Coverage<'a> {
    pub status: Status,
    /// Covered / failed: the deciding record. Missing: the latest usable record, if any.
    pub record: Option<Entered<'a>>,
    /// Why, in words, naming dates ("the latest record, a pass on 2026-11-01, is before the change ...").
    pub reason: String,
}

/// A record that can take part: the retest matches, the date is a calendar date, the result is
/// known, a pass or not-needed has `by` and `evidence` filled in, and a not-needed carries its
/// notes. A fail counts whatever it lacks: ignoring it could let an older pass decide.
fn usable<'a>(r: &'a Record, retest: &str) -> Option<(NaiveDate, &'a str)> {
    if r.retest.as_ref()?.as_str() != retest {
        return None;
    }
    let filled =
        |t: Option<&crate::sheet::model::Text>| t.is_some_and(|t| !t.value.trim().is_empty());
    let date = r.date.as_ref()?.date?;
    let result = r.result.as_ref()?.as_str();
    // `record-evidence`: a pass or not-needed without `by` or `evidence` covers nothing; a
    // fail counts whatever it lacks (ignoring it could let an older pass decide).
    let complete = filled(r.by.as_ref()) && filled(r.evidence.as_ref());
    match result {
        "fail" => Some((date, result)),
        "pass" if complete => Some((date, result)),
        "not-needed" if complete && filled(r.notes.as_ref()) => Some((date, result)),
        _ => None,
    }
}

/// What keeps the newest record of `retest` dated on or before today from counting, when it is
/// a pass or not-needed that [`usable`] refuses: "a not-needed on DATE has no notes". The one
/// wording `retests` and the document give for such a record (`record-evidence` reports it).
pub fn incomplete(records: &[Entered<'_>], retest: &str, today: NaiveDate) -> Option<String> {
    let filled =
        |t: Option<&crate::sheet::model::Text>| t.is_some_and(|t| !t.value.trim().is_empty());
    let (date, r) = records
        .iter()
        .filter(|e| {
            e.record
                .retest
                .as_ref()
                .is_some_and(|t| t.as_str() == retest)
        })
        .filter_map(|e| Some((e.record.date.as_ref()?.date?, e.record)))
        .filter(|(d, _)| *d <= today)
        .max_by_key(|(d, _)| *d)?;
    let result = r.result.as_ref()?.as_str();
    if !matches!(result, "pass" | "not-needed") {
        return None;
    }
    let lacks = if !filled(r.by.as_ref()) {
        "has no `by`"
    } else if !filled(r.evidence.as_ref()) {
        "has no evidence"
    } else if result == "not-needed" && !filled(r.notes.as_ref()) {
        "has no notes"
    } else {
        return None;
    };
    Some(format!("{} {lacks}", describe(result, date)))
}

/// The order in which records supersede each other: where they entered the history, then
/// their date, and on a tie a fail last (so that it wins).
type Order = (Position, NaiveDate, bool);

fn order(at: Position, date: NaiveDate, result: &str) -> Order {
    (at, date, result == "fail")
}

/// The newest of `records` for `retest` dated on or before today, by [`Order`]; `keep`
/// narrows the candidates. The one ordering of records every command uses.
pub fn newest<'a>(
    records: &[Entered<'a>],
    retest: &str,
    today: NaiveDate,
    keep: impl Fn(&Entered<'a>, NaiveDate) -> bool,
) -> Option<(Entered<'a>, NaiveDate, &'a str)> {
    records
        .iter()
        .filter_map(|e| usable(e.record, retest).map(|(d, res)| (*e, d, res)))
        .filter(|(e, d, _)| *d <= today && keep(e, *d))
        .max_by_key(|(e, d, res)| order(e.at, *d, res))
}

fn describe(result: &str, date: NaiveDate) -> String {
    let what = match result {
        "pass" => "a pass",
        "fail" => "a fail",
        _ => "a not-needed",
    };
    format!("{what} on {date}")
}

/// Decide whether `records` cover `retest` for `change`; `history` names positions in the
/// reason.
pub fn cover<'a>(
    records: &[Entered<'a>],
    retest: &str,
    change: Change,
    today: NaiveDate,
    max_age_days: Option<u32>,
    history: &History,
) -> Coverage<'a> {
    let qualifying = newest(records, retest, today, |e, d| {
        e.at >= change.at && d >= change.date
    });
    let Some((record, date, result)) = qualifying else {
        let Some((latest, date, result)) = newest(records, retest, today, |_, _| true) else {
            let reason = match incomplete(records, retest, today) {
                Some(what) => format!(
                    "the latest record, {what}: an incomplete record covers nothing (`record-evidence`)"
                ),
                None => "no record of this retest".into(),
            };
            return Coverage {
                status: Status::Missing,
                record: None,
                reason,
            };
        };
        let what = describe(result, date);
        let reason = if latest.at < change.at {
            format!(
                "the latest record, {what}, entered the history at {}, before the change ({})",
                history.label(latest.at),
                history.label(change.at)
            )
        } else {
            format!(
                "the latest record, {what}, is before the change of {}",
                change.date
            )
        };
        return Coverage {
            status: Status::Missing,
            record: Some(latest),
            reason,
        };
    };
    if result == "fail" {
        return Coverage {
            status: Status::Failed,
            record: Some(record),
            reason: format!(
                "the newest record since the change of {} is {}",
                change.date,
                describe(result, date)
            ),
        };
    }
    if let Some(max) = max_age_days {
        let age = (today - date).num_days();
        if age > i64::from(max) {
            return Coverage {
                status: Status::Missing,
                record: Some(record),
                reason: format!(
                    "the latest record, {}, is {age} days old; max_age is {max} days",
                    describe(result, date)
                ),
            };
        }
    }
    Coverage {
        status: Status::Covered,
        record: Some(record),
        reason: format!("covered by {}", describe(result, date)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{build, yaml};
    use crate::source::SourceFile;

    fn records(text: &str) -> Vec<Record> {
        let src = SourceFile::new("r.yaml", text);
        build::build_records(&src, &yaml::parse(text).unwrap()).0
    }

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    /// Listed-files semantics: every record counts, the change is at position 0.
    fn cover_listed<'a>(
        r: &'a [Record],
        retest: &str,
        change: NaiveDate,
        today: NaiveDate,
        max: Option<u32>,
    ) -> Coverage<'a> {
        let change = Change {
            at: 0,
            date: change,
        };
        cover(
            &without_history(r),
            retest,
            change,
            today,
            max,
            &History::default(),
        )
    }

    const RECS: &str = "\
- {retest: dedupe, date: 2026-11-01, result: pass, by: t, evidence: e}
- {retest: dedupe, date: 2026-11-12, result: pass, by: t, evidence: e}
- {retest: dedupe, date: 2026-11-14, result: fail, by: t, evidence: e}
- {retest: smoke, date: 2026-11-10, result: not-needed, by: t, evidence: e}
- {retest: smoke, date: 2026-11-11, result: not-needed, by: t, evidence: e, notes: copy change only}
- {retest: later, date: 2026-11-30, result: pass, by: t, evidence: e}
- {retest: sameday, date: 2026-11-20, result: pass, by: t, evidence: e}
- {retest: sameday, date: 2026-11-20, result: fail, by: t, evidence: e}
- {retest: sameday, date: 2026-11-20, result: pass, by: t, evidence: e}
- {retest: anon, date: 2026-11-20, result: pass, by: t}
- {retest: anon, date: 2026-11-20, result: pass, by: ' ', evidence: e}
";

    #[test]
    fn a_record_before_the_change_does_not_cover() {
        let r = records(RECS);
        let c = cover_listed(&r, "dedupe", d(15), d(25), None);
        assert_eq!(c.status, Status::Missing);
        assert_eq!(
            c.record.unwrap().record.date.as_ref().unwrap().raw,
            "2026-11-14"
        );
        assert!(
            c.reason.contains("before the change of 2026-11-15"),
            "{}",
            c.reason
        );
    }

    #[test]
    fn a_newer_fail_fails_even_after_a_pass() {
        let r = records(RECS);
        assert_eq!(
            cover_listed(&r, "dedupe", d(10), d(25), None).status,
            Status::Failed
        );
        // before the fail, the pass of the 12th covers
        assert_eq!(
            cover_listed(&r, "dedupe", d(10), d(13), None).status,
            Status::Covered
        );
    }

    #[test]
    fn max_age_counts_from_today() {
        let r = records(RECS);
        assert_eq!(
            cover_listed(&r, "dedupe", d(1), d(13), Some(1)).status,
            Status::Covered
        );
        let c = cover_listed(&r, "dedupe", d(1), d(13), Some(0));
        assert_eq!(c.status, Status::Missing);
        assert!(c.reason.contains("max_age is 0 days"), "{}", c.reason);
    }

    #[test]
    fn not_needed_needs_notes_and_every_record_needs_by_and_evidence() {
        let r = records(RECS);
        let c = cover_listed(&r, "smoke", d(10), d(25), None);
        assert_eq!(c.status, Status::Covered);
        assert_eq!(
            c.record.unwrap().record.result.as_ref().unwrap().value,
            "not-needed"
        );
        // the one without notes (the 10th) is not usable, and the reason says so (it used
        // to say "no record of this retest")
        let c = cover_listed(&r, "smoke", d(10), d(10), None);
        assert_eq!(c.status, Status::Missing);
        assert_eq!(
            c.reason,
            "the latest record, a not-needed on 2026-11-10 has no notes: an incomplete record covers nothing (`record-evidence`)"
        );
        let c = cover_listed(&r, "anon", d(1), d(25), None);
        assert_eq!(c.status, Status::Missing);
        assert_eq!(
            c.reason,
            "the latest record, a pass on 2026-11-20 has no `by`: an incomplete record covers nothing (`record-evidence`)"
        );
        assert_eq!(
            cover_listed(&r, "nothing", d(1), d(25), None).reason,
            "no record of this retest"
        );
    }

    #[test]
    fn future_records_are_ignored_and_on_a_tie_fail_wins() {
        let r = records(RECS);
        assert_eq!(
            cover_listed(&r, "later", d(1), d(25), None).status,
            Status::Missing
        );
        // regression: the record listed last used to win a same-day tie, so a pass written
        // after a fail of the same day covered
        assert_eq!(
            cover_listed(&r, "sameday", d(20), d(25), None).status,
            Status::Failed
        );
    }

    fn history() -> History {
        let commit = |id: &str, day| super::super::history::Commit {
            id: id.into(),
            date: d(day),
            changes: Vec::new(),
        };
        History {
            base: Some("the merge base".into()),
            commits: vec![commit("aaaa", 20), commit("bbbb", 20), commit("cccc", 21)],
        }
    }

    #[test]
    fn a_record_covers_only_when_it_entered_at_or_after_the_change_commit() {
        let r =
            records("- {retest: x, date: 2026-11-20, result: pass, by: t, evidence: morning}\n");
        let h = history();
        let change = Change { at: 2, date: d(20) };
        // same day, but entered with the first commit: the afternoon change is not covered
        let e = [Entered {
            record: &r[0],
            at: 1,
        }];
        let c = cover(&e, "x", change, d(25), None, &h);
        assert_eq!(c.status, Status::Missing);
        assert!(
            c.reason
                .contains("entered the history at commit aaaa, before the change (commit bbbb)"),
            "{}",
            c.reason
        );
        for at in [2, 3] {
            let e = [Entered { record: &r[0], at }];
            assert_eq!(
                cover(&e, "x", change, d(25), None, &h).status,
                Status::Covered
            );
        }
        // at the merge base: never
        let e = [Entered {
            record: &r[0],
            at: 0,
        }];
        let c = cover(&e, "x", Change { at: 1, date: d(1) }, d(25), None, &h);
        assert_eq!(c.status, Status::Missing);
        assert!(c.reason.contains("the merge base"), "{}", c.reason);
    }

    #[test]
    fn newest_is_by_entry_then_date() {
        let r = records(
            "- {retest: x, date: 2026-11-22, result: fail, by: t, evidence: e}\n\
             - {retest: x, date: 2026-11-21, result: pass, by: t, evidence: e}\n",
        );
        let h = history();
        let change = Change { at: 1, date: d(20) };
        // the pass entered later: it decides although its date is older
        let e = [
            Entered {
                record: &r[0],
                at: 2,
            },
            Entered {
                record: &r[1],
                at: 3,
            },
        ];
        assert_eq!(
            cover(&e, "x", change, d(25), None, &h).status,
            Status::Covered
        );
        // the same commit: the later date decides
        let e = [
            Entered {
                record: &r[0],
                at: 3,
            },
            Entered {
                record: &r[1],
                at: 3,
            },
        ];
        assert_eq!(
            cover(&e, "x", change, d(25), None, &h).status,
            Status::Failed
        );
    }
}
