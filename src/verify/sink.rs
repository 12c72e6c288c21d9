//! Where verify findings collect: a bounded sample per rule, so a million bad events cost a few findings of memory.

use std::collections::BTreeMap;

use crate::finding::{Finding, Severity};

struct Bucket {
    /// (file index, line, finding), at most `max` of them: the earliest by file and line.
    kept: Vec<(u32, u64, Finding)>,
    dropped: u64,
    dropped_severity: Severity,
    /// The index of the latest kept finding, once `kept` is full.
    worst: Option<usize>,
}

type Key<'a> = (u32, u64, &'a str);

fn key<'a>(k: &(u32, u64, &'a Finding)) -> Key<'a> {
    (k.0, k.1, k.2.message.as_str())
}

fn as_ref(k: &(u32, u64, Finding)) -> (u32, u64, &Finding) {
    (k.0, k.1, &k.2)
}

fn worst_of(kept: &[(u32, u64, Finding)]) -> usize {
    kept.iter()
        .enumerate()
        .max_by(|a, b| key(&as_ref(a.1)).cmp(&key(&as_ref(b.1))))
        .map_or(0, |(i, _)| i)
}

/// Keeps at most `max` findings per rule (0: all), the earliest in file order whatever order
/// they arrive in, and counts the rest.
pub(super) struct Sink {
    max: usize,
    buckets: BTreeMap<String, Bucket>,
    extra: Vec<Finding>,
}

impl Sink {
    pub(super) fn new(max: usize) -> Self {
        Self {
            max,
            buckets: BTreeMap::new(),
            extra: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, file: u32, line: u64, finding: Finding) {
        let max = self.max;
        let bucket = self
            .buckets
            .entry(finding.rule.clone())
            .or_insert_with(|| Bucket {
                kept: Vec::new(),
                dropped: 0,
                dropped_severity: Severity::Info,
                worst: None,
            });
        if max == 0 || bucket.kept.len() < max {
            bucket.kept.push((file, line, finding));
            bucket.worst = None;
            return;
        }
        let worst = match bucket.worst {
            Some(w) => w,
            None => {
                let w = worst_of(&bucket.kept);
                bucket.worst = Some(w);
                w
            }
        };
        // Findings mostly arrive in file order: the new one is usually the latest and dropped
        // at once; only an earlier one replaces the latest kept.
        let dropped = if key(&(file, line, &finding)) < key(&as_ref(&bucket.kept[worst])) {
            let old = std::mem::replace(&mut bucket.kept[worst], (file, line, finding)).2;
            bucket.worst = Some(worst_of(&bucket.kept));
            old
        } else {
            finding
        };
        bucket.dropped += 1;
        bucket.dropped_severity = bucket.dropped_severity.max(dropped.severity);
    }

    /// A finding that is never sampled away (one per event, not per captured line).
    pub(super) fn push_unlimited(&mut self, finding: Finding) {
        self.extra.push(finding);
    }

    /// Every kept finding, plus one per rule that dropped some, saying how many.
    pub(super) fn into_findings(self, files: &[String]) -> Vec<Finding> {
        let mut out = self.extra;
        for (rule, mut bucket) in self.buckets {
            bucket
                .kept
                .sort_by(|a, b| (a.0, a.1, &a.2.message).cmp(&(b.0, b.1, &b.2.message)));
            let first_file = bucket.kept.iter().map(|k| k.0).min();
            out.extend(bucket.kept.into_iter().map(|k| k.2));
            if bucket.dropped > 0 {
                let mut f = Finding::new(
                    rule.clone(),
                    bucket.dropped_severity,
                    format!(
                        "{} more `{rule}` findings are not listed (the first {} are)",
                        bucket.dropped, self.max
                    ),
                )
                .with_help("--max-per-rule N lists more; 0 lists all");
                if let Some(name) = first_file.and_then(|i| files.get(i as usize)) {
                    f.file = name.clone();
                }
                out.push(f);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(msg: &str) -> Finding {
        Finding::new("r", Severity::Warning, msg)
    }

    #[test]
    fn keeps_the_earliest_whatever_the_order_and_counts_the_rest() {
        let mut s = Sink::new(2);
        s.push(0, 9, f("nine"));
        s.push(0, 3, f("three"));
        s.push(0, 5, f("five"));
        s.push(1, 1, f("other file"));
        let out = s.into_findings(&["a".into(), "b".into()]);
        let msgs: Vec<&str> = out.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs[..2], ["three", "five"]);
        assert!(msgs[2].starts_with("2 more `r` findings"), "{msgs:?}");
        assert_eq!(out[2].severity, Severity::Warning);
        assert_eq!(out[2].file, "a");
    }

    #[test]
    fn zero_keeps_everything() {
        let mut s = Sink::new(0);
        for i in 0..10 {
            s.push(0, i, f("x"));
        }
        assert_eq!(s.into_findings(&[]).len(), 10);
    }
}
