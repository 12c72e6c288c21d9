//! Pairing browser and server events by `event_id`: the dedupe index, `event_id` reuse, the 48-hour
//! window, parameter parity and the dedupe rate.

use std::collections::BTreeSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use super::event::{Captured, Issue, Side};
use super::{DEDUPE_WINDOW_SECONDS, EventRow, Verifier, rules, short};

/// Sample ids listed in a rate finding.
pub(super) const SAMPLES: usize = 5;

/// One side of a dedupe key: what the pair and reuse checks compare. Sentinels keep it small:
/// the index holds one of these per `event_id`, so its size is the run's memory.
#[derive(Debug, Clone, Copy)]
pub(super) struct SideRec {
    count: u32,
    file: u32,
    line: u32,
    reused: bool,
    currency: [u8; 3],
    time: i64,
    value: f64,
    content: u64,
    order: u64,
}

pub(super) const NO_TIME: i64 = i64::MIN;
pub(super) const NONE_HASH: u64 = 0;

impl SideRec {
    const EMPTY: SideRec = SideRec {
        count: 0,
        file: 0,
        line: 0,
        reused: false,
        currency: [0; 3],
        time: NO_TIME,
        value: f64::NAN,
        content: NONE_HASH,
        order: NONE_HASH,
    };

    pub(super) fn present(&self) -> bool {
        self.count > 0
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Pair {
    browser: SideRec,
    server: SideRec,
}

impl Pair {
    pub(super) fn side(&mut self, side: Side) -> &mut SideRec {
        match side {
            Side::Browser => &mut self.browser,
            Side::Server => &mut self.server,
        }
    }
}

pub(super) fn hash_of<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish().max(1)
}

pub(super) fn currency_code(c: &Option<String>) -> [u8; 3] {
    match c.as_deref().map(str::as_bytes) {
        Some(&[a, b, c]) => [a, b, c],
        Some(_) => [b'?'; 3],
        None => [0; 3],
    }
}

impl Verifier<'_> {
    pub(super) fn index_event(&mut self, side: Side, f: u32, line: usize, idx: u32, c: &Captured) {
        let Some(id) = c.event_id.as_deref() else {
            let st = &mut self.stats[idx as usize];
            match side {
                Side::Browser => st.browser_no_id += 1,
                Side::Server => st.server_no_id += 1,
            }
            return;
        };
        let rec = SideRec {
            count: 1,
            file: f,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            reused: false,
            currency: currency_code(&c.currency),
            time: c.time.unwrap_or(NO_TIME),
            value: c.value.unwrap_or(f64::NAN),
            content: c.content_ids.as_ref().map_or(NONE_HASH, hash_of),
            order: c
                .order_id
                .as_ref()
                .map_or(NONE_HASH, |o| hash_of(o.as_str())),
        };
        let pair = self.index.entry((idx, id.into())).or_insert(Pair {
            browser: SideRec::EMPTY,
            server: SideRec::EMPTY,
        });
        let slot = pair.side(side);
        if !slot.present() {
            *slot = rec;
            let st = &mut self.stats[idx as usize];
            match side {
                Side::Browser => st.browser_ids += 1,
                Side::Server => st.server_ids += 1,
            }
            return;
        }
        slot.count = slot.count.saturating_add(1);
        let other_action = if slot.order != NONE_HASH && rec.order != NONE_HASH {
            slot.order != rec.order
        } else {
            slot.order == NONE_HASH && rec.order == NONE_HASH && slot.time != rec.time
        };
        if other_action && !slot.reused {
            slot.reused = true;
            let (first_file, first_line) = (slot.file, slot.line);
            let st = &mut self.stats[idx as usize];
            st.reused += 1;
            st.errors += 1;
            let name = st.name.clone();
            let what = if rec.order != NONE_HASH {
                "order_id"
            } else {
                "event_time"
            };
            let issue = Issue::new(
                rules::DEDUPE_ID_REUSED,
                format!("{} {name} event_id `{}` is reused by another business action (a different {what} than at {}:{first_line})", side.as_str(), short(id), self.file_name(first_file)),
            )
            .help("one business action gets one event_id; build it from the action's own id (e.g. purchase-{order_id}), never a constant or a session id");
            self.push_issue(f, line, None, issue);
        }
    }

    /// Pair browser and server events by `event_id`: the window, parity and dedupe rate rules.
    pub(super) fn pair_rows(&mut self, rows: &mut [EventRow]) {
        let mut samples: Vec<(BTreeSet<String>, BTreeSet<String>)> =
            vec![Default::default(); rows.len()];
        let index = std::mem::take(&mut self.index);
        let mut parity_issues = Vec::new();
        for ((idx, id), pair) in &index {
            let row = &mut rows[*idx as usize];
            let (b, s) = (&pair.browser, &pair.server);
            match (b.present(), s.present()) {
                (true, true) => {
                    row.pairs += 1;
                    if b.time != NO_TIME
                        && s.time != NO_TIME
                        && b.time.abs_diff(s.time) > DEDUPE_WINDOW_SECONDS.unsigned_abs()
                    {
                        row.outside_window += 1;
                        let hours = b.time.abs_diff(s.time) as f64 / 3600.0;
                        parity_issues.push((*idx, s.file, s.line, Issue::new(rules::DEDUPE_WINDOW, format!("{} `{}`: browser and server event_time differ by {hours:.1} hours, outside Meta's 48-hour dedupe window (browser at {}:{})", row.event, short(id), self.file_name(b.file), b.line)).help("send the server event within 48 hours of the browser event, with the business action's time")));
                    } else {
                        row.deduplicated += 1;
                    }
                    let tol = self.thresholds(&row.event).1;
                    let mut diffs = Vec::new();
                    match (b.value.is_nan(), s.value.is_nan()) {
                        (false, false) if (b.value - s.value).abs() > tol + 1e-9 => {
                            diffs.push(format!("value {} vs {}", b.value, s.value));
                        }
                        (true, false) | (false, true) => {
                            diffs.push("value on one side only".to_owned());
                        }
                        _ => {}
                    }
                    if b.currency != s.currency {
                        diffs.push(format!(
                            "currency {} vs {}",
                            code_text(b.currency),
                            code_text(s.currency)
                        ));
                    }
                    if b.content != s.content {
                        diffs.push(if b.content == NONE_HASH || s.content == NONE_HASH {
                            "content_ids on one side only".to_owned()
                        } else {
                            "content_ids differ".to_owned()
                        });
                    }
                    if !diffs.is_empty() {
                        row.parity_mismatches += 1;
                        parity_issues.push((*idx, s.file, s.line, Issue::new(rules::PARAMETER_PARITY, format!("{} `{}`: browser and server differ: {} (browser at {}:{})", row.event, short(id), diffs.join(", "), self.file_name(b.file), b.line)).help("both paths must read value, currency and content_ids from the same source of truth")));
                    }
                }
                (true, false) => {
                    row.unpaired_browser += 1;
                    keep_sample(&mut samples[*idx as usize].0, id);
                }
                (false, true) => {
                    row.unpaired_server += 1;
                    keep_sample(&mut samples[*idx as usize].1, id);
                }
                (false, false) => {}
            }
        }
        drop(index);
        parity_issues.sort_by(|a, b| (a.1, a.2, &a.3.message).cmp(&(b.1, b.2, &b.3.message)));
        for (idx, file, line, issue) in parity_issues {
            self.stats[idx as usize].errors += 1;
            self.push_issue(file, line as usize, None, issue);
        }
        for (i, row) in rows.iter_mut().enumerate() {
            let st = &self.stats[i];
            row.unpaired_browser += st.browser_no_id;
            row.unpaired_server += st.server_no_id;
            let both_paths = match self.sheet.and_then(|sh| sh.events.get(&row.event)) {
                Some(e) => e.item.browser.is_some() && e.item.server.is_some(),
                None => row.browser > 0 && row.server > 0,
            };
            if !self.browser_given || !both_paths {
                continue;
            }
            let larger = (st.browser_ids + st.browser_no_id).max(st.server_ids + st.server_no_id);
            if larger == 0 {
                continue;
            }
            let rate = row.deduplicated as f64 / larger as f64;
            row.dedupe_rate = Some(rate);
            if rate + 1e-12 < row.min_dedupe_rate {
                let (b, s) = &samples[i];
                let list = |set: &BTreeSet<String>| {
                    set.iter()
                        .map(|x| format!("`{x}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut look = Vec::new();
                if !b.is_empty() {
                    look.push(format!("browser only: {}", list(b)));
                }
                if !s.is_empty() {
                    look.push(format!("server only: {}", list(s)));
                }
                let looks = if look.is_empty() {
                    String::new()
                } else {
                    format!("; look at {}", look.join("; "))
                };
                let msg = format!(
                    "{} dedupe rate {rate:.3} is below {} ({} deduplicated pairs of {larger} events on the larger side; {} browser and {} server events unpaired){looks}",
                    row.event,
                    row.min_dedupe_rate,
                    row.deduplicated,
                    row.unpaired_browser,
                    row.unpaired_server
                );
                self.stats[i].errors += 1;
                let issue = Issue::new(rules::DEDUPE_RATE, msg).help("unpaired events are counted twice or not deduplicated: compare the event_id each path builds for one action");
                self.push_sheet_issue(&row.event, "min_dedupe_rate", issue);
            }
        }
    }
}

pub(super) fn keep_sample(set: &mut BTreeSet<String>, id: &str) {
    if set.len() < SAMPLES {
        set.insert(short(id));
    } else if let Some(last) = set.iter().next_back().cloned()
        && id < last.as_str()
    {
        set.remove(&last);
        set.insert(short(id));
    }
}

pub(super) fn code_text(c: [u8; 3]) -> String {
    if c == [0; 3] {
        "none".into()
    } else {
        String::from_utf8_lossy(&c).into_owned()
    }
}
