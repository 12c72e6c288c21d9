//! Whether the records cover a required retest: the newest usable record dated between the
//! change and today decides (a pass or a not-needed with notes covers within `max_age`, a fail
//! fails). Pure: the records are already loaded.

use chrono::NaiveDate;
use serde::Serialize;

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

/// The verdict for one retest and the record it rests on.
#[derive(Debug, Clone)]
pub struct Coverage<'a> {
    pub status: Status,
    /// Covered / failed: the deciding record. Missing: the latest usable record, if any.
    pub record: Option<&'a Record>,
    /// Why, in words, naming dates ("the latest record, a pass on 2026-11-01, is before the change").
    pub reason: String,
}

/// A record that can take part: the retest matches, the date is a calendar date, the result is
/// known, a pass or not-needed names `by` and `evidence`, and a not-needed carries its notes.
fn usable<'a>(r: &'a Record, retest: &str) -> Option<(NaiveDate, &'a str)> {
    if r.retest.as_ref()?.as_str() != retest {
        return None;
    }
    let date = r.date.as_ref()?.date?;
    let result = r.result.as_ref()?.as_str();
    // `record-evidence`: a pass or not-needed without `by` or `evidence` covers nothing; a
    // fail counts whatever it lacks (ignoring it could let an older pass decide).
    let filled = |t: &Option<crate::sheet::model::Text>| {
        t.as_ref().is_some_and(|t| !t.value.trim().is_empty())
    };
    let complete = filled(&r.by) && filled(&r.evidence);
    match result {
        "fail" => Some((date, result)),
        "pass" if complete => Some((date, result)),
        "not-needed" if complete && filled(&r.notes) => Some((date, result)),
        _ => None,
    }
}

/// File stem without its numeric suffix, the suffix, the load position.
type Sequence<'a> = (&'a str, u64, usize);

/// The order records of one day were written in: by file, where `govsheet record` names a
/// second file of the day `DATE-RETEST-2.yaml` (which sorts before `DATE-RETEST.yaml` as text,
/// so the numeric suffix is compared as a number), then by position in the load order.
fn sequence(r: &Record, index: usize) -> Sequence<'_> {
    let name = r.source.name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(name);
    let (base, n) = match stem.rsplit_once('-') {
        Some((base, n))
            if !n.is_empty() && n.len() < 10 && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (base, n.parse().unwrap_or(1))
        }
        _ => (stem, 1),
    };
    (base, n, index)
}

fn describe(result: &str, date: NaiveDate) -> String {
    let what = match result {
        "pass" => "a pass",
        "fail" => "a fail",
        _ => "a not-needed",
    };
    format!("{what} on {date}")
}

/// Decide whether `records` cover `retest` for a change made on `change`.
pub fn cover<'a>(
    records: &'a [Record],
    retest: &str,
    change: NaiveDate,
    today: NaiveDate,
    max_age_days: Option<u32>,
) -> Coverage<'a> {
    // Newest first; among records of the same day the one written last wins (see `sequence`).
    let mut mine: Vec<(NaiveDate, Sequence<'_>, &str, &Record)> = records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| usable(r, retest).map(|(d, res)| (d, sequence(r, i), res, r)))
        .filter(|(d, ..)| *d <= today)
        .collect();
    mine.sort_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)));

    let Some(&(date, _, result, record)) = mine.first() else {
        return Coverage {
            status: Status::Missing,
            record: None,
            reason: "no record of this retest".into(),
        };
    };
    if date < change {
        return Coverage {
            status: Status::Missing,
            record: Some(record),
            reason: format!(
                "the latest record, {}, is before the change of {change}",
                describe(result, date)
            ),
        };
    }
    if result == "fail" {
        return Coverage {
            status: Status::Failed,
            record: Some(record),
            reason: format!(
                "the newest record since the change of {change} is {}",
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
    use crate::sheet::{model, source::SourceFile, yaml};

    fn records(text: &str) -> Vec<Record> {
        let src = SourceFile::new("r.yaml", text);
        model::build_records(&src, &yaml::parse(text).unwrap()).0
    }

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    const RECS: &str = "\
- {retest: dedupe, date: 2026-11-01, result: pass, by: t, evidence: e}
- {retest: dedupe, date: 2026-11-12, result: pass, by: t, evidence: e}
- {retest: dedupe, date: 2026-11-14, result: fail, by: t, evidence: e}
- {retest: smoke, date: 2026-11-10, result: not-needed, by: t, evidence: e}
- {retest: smoke, date: 2026-11-11, result: not-needed, by: t, evidence: e, notes: copy change only}
- {retest: later, date: 2026-11-30, result: pass, by: t, evidence: e}
- {retest: sameday, date: 2026-11-20, result: fail, by: t, evidence: e}
- {retest: sameday, date: 2026-11-20, result: pass, by: t, evidence: e}
";

    #[test]
    fn a_record_before_the_change_does_not_cover() {
        let r = records(RECS);
        let c = cover(&r, "dedupe", d(15), d(25), None);
        assert_eq!(c.status, Status::Missing);
        assert_eq!(c.record.unwrap().date.as_ref().unwrap().raw, "2026-11-14");
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
            cover(&r, "dedupe", d(10), d(25), None).status,
            Status::Failed
        );
        // before the fail, the pass of the 12th covers
        assert_eq!(
            cover(&r, "dedupe", d(10), d(13), None).status,
            Status::Covered
        );
    }

    #[test]
    fn max_age_counts_from_today() {
        let r = records(RECS);
        assert_eq!(
            cover(&r, "dedupe", d(1), d(13), Some(1)).status,
            Status::Covered
        );
        let c = cover(&r, "dedupe", d(1), d(13), Some(0));
        assert_eq!(c.status, Status::Missing);
        assert!(c.reason.contains("max_age is 0 days"), "{}", c.reason);
    }

    #[test]
    fn not_needed_needs_notes() {
        let r = records(RECS);
        let c = cover(&r, "smoke", d(10), d(25), None);
        assert_eq!(c.status, Status::Covered);
        assert_eq!(
            c.record.unwrap().result.as_ref().unwrap().value,
            "not-needed"
        );
        assert_eq!(
            cover(&r, "smoke", d(11), d(25), None).status,
            Status::Covered
        );
        // the one without notes (the 10th) is not usable
        assert_eq!(
            cover(&r, "smoke", d(10), d(10), None).status,
            Status::Missing
        );
    }

    #[test]
    fn a_second_file_of_the_day_wins_although_it_sorts_first() {
        let file = |name: &str, result: &str| {
            let text =
                format!("{{retest: x, date: 2026-11-25, result: {result}, by: t, evidence: e}}");
            let src = SourceFile::new(name, text.as_str());
            model::build_records(&src, &yaml::parse(&text).unwrap()).0
        };
        // loaded in name order: `-2` (written second) comes first
        let mut r = file("records/2026-11-25-x-2.yaml", "fail");
        r.extend(file("records/2026-11-25-x.yaml", "pass"));
        assert_eq!(cover(&r, "x", d(25), d(25), None).status, Status::Failed);
        let mut r = file("records/2026-11-25-x-10.yaml", "pass");
        r.extend(file("records/2026-11-25-x-9.yaml", "fail"));
        assert_eq!(cover(&r, "x", d(25), d(25), None).status, Status::Covered);
    }

    #[test]
    fn future_records_are_ignored_and_same_day_takes_the_last() {
        let r = records(RECS);
        assert_eq!(
            cover(&r, "later", d(1), d(25), None).status,
            Status::Missing
        );
        assert_eq!(
            cover(&r, "sameday", d(20), d(25), None).status,
            Status::Covered
        );
        assert_eq!(
            cover(&r, "nothing", d(20), d(25), None).reason,
            "no record of this retest"
        );
    }
}
