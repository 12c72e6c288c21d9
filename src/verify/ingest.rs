//! Reading captures: JSON Lines or one request body, with bounded lines and bodies; each event
//! object goes to the payload and sheet rules, then to pairing and reconciliation.

use std::io::{self, BufRead, Read};

use serde_json::{Map, Value};

use super::event::{self, PayloadContext, Side, type_name};
use super::{
    FileId, Issue, MAX_BODY_BYTES, MAX_EVENTS_PER_REQUEST, MAX_LINE_BYTES, Severity, Verifier,
    lines, rules, scan,
};

impl Verifier<'_> {
    /// Read one capture: JSON Lines (one event, or one request body, per line) or one request
    /// body document spread over several lines. Lines are read with a bounded buffer.
    pub fn feed<R: BufRead>(&mut self, side: Side, file: FileId, mut reader: R) -> io::Result<()> {
        match side {
            Side::Browser => self.browser_given = true,
            Side::Server => {
                self.first_server.get_or_insert(file.0);
            }
        }
        let f = file.0;
        let mut buf = std::mem::take(&mut self.buf);
        let mut line_no = 0usize;
        let mut first = true;
        let result = loop {
            let info = match lines::read_bounded(&mut reader, &mut buf, MAX_LINE_BYTES) {
                Ok(Some(i)) => i,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            };
            line_no += 1;
            if info.too_long {
                first = false;
                self.shape(
                    f,
                    line_no,
                    None,
                    format!(
                        "line {line_no} is {} bytes, longer than the {} limit; skipped",
                        info.len,
                        crate::sheet::yaml::human_bytes(MAX_LINE_BYTES)
                    ),
                );
                continue;
            }
            let mut text: &[u8] = &buf;
            if first && text.starts_with(b"\xEF\xBB\xBF") {
                text = &text[3..];
            }
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if first {
                first = false;
                if serde_json::from_slice::<serde::de::IgnoredAny>(text).is_err()
                    && !looks_like_event_line(text)
                {
                    let mut doc = text.to_vec();
                    break self.feed_document(side, f, line_no, &mut doc, &mut reader);
                }
            }
            self.feed_line(side, file, line_no, text);
        };
        self.buf = buf;
        result?;
        if first {
            self.shape(f, 1, None, format!("{} holds no events", self.file_name(f)));
        }
        Ok(())
    }

    /// One JSON Lines line: an event, or a whole request body.
    pub fn feed_line(&mut self, side: Side, file: FileId, line: usize, text: &[u8]) {
        let f = file.0;
        if let Err(e) = std::str::from_utf8(text) {
            self.shape(
                f,
                line,
                None,
                format!(
                    "line {line} is not valid UTF-8 (invalid byte at byte {})",
                    e.valid_up_to() + 1
                ),
            );
            return;
        }
        match serde_json::from_slice::<Value>(text) {
            Ok(v) => self.value(side, f, line, None, v),
            Err(e) => self.shape(
                f,
                line,
                None,
                format!("line {line} is not valid JSON: {}", json_error(&e)),
            ),
        }
    }

    pub(super) fn feed_document<R: BufRead>(
        &mut self,
        side: Side,
        f: u32,
        first_line: usize,
        doc: &mut Vec<u8>,
        reader: &mut R,
    ) -> io::Result<()> {
        doc.push(b'\n');
        let limit = (MAX_BODY_BYTES + 1).saturating_sub(doc.len()) as u64;
        reader.take(limit).read_to_end(doc)?;
        if doc.len() > MAX_BODY_BYTES {
            self.shape(
                f,
                first_line,
                None,
                format!(
                    "the request body is larger than {}; it was not read",
                    crate::sheet::yaml::human_bytes(MAX_BODY_BYTES)
                ),
            );
            return Ok(());
        }
        if let Err(e) = std::str::from_utf8(doc) {
            let at = e.valid_up_to();
            let line = first_line + doc[..at].iter().filter(|&&b| b == b'\n').count();
            self.shape(
                f,
                line,
                None,
                format!("the request body is not valid UTF-8 (invalid byte on line {line})"),
            );
            return Ok(());
        }
        match serde_json::from_slice::<Value>(doc) {
            Ok(v) => {
                let lines: Vec<usize> = scan::data_element_lines(doc)
                    .into_iter()
                    .map(|l| l + first_line - 1)
                    .collect();
                self.value(side, f, first_line, Some(&lines), v);
            }
            Err(e) => {
                let line = first_line + e.line().saturating_sub(1);
                self.shape(
                    f,
                    line,
                    None,
                    format!("the request body is not valid JSON: {}", json_error(&e)),
                );
            }
        }
        Ok(())
    }

    /// A parsed JSON value from a capture: a request body or an event.
    pub(super) fn value(
        &mut self,
        side: Side,
        f: u32,
        line: usize,
        element_lines: Option<&[usize]>,
        v: Value,
    ) {
        let Value::Object(obj) = v else {
            self.shape(
                f,
                line,
                None,
                format!(
                    "{} found where an event object or a request body belongs",
                    type_name(&v)
                ),
            );
            return;
        };
        if !obj.contains_key("data") {
            self.event(side, f, line, None, &obj);
            return;
        }
        let mut obj = obj;
        if obj.contains_key("test_event_code") && !self.opts.test_capture {
            self.push_issue(
                f,
                line,
                Some("/test_event_code".into()),
                event::test_code_issue("the request body carries a test_event_code"),
            );
        }
        let data = obj.remove("data").unwrap_or(Value::Null);
        let Value::Array(items) = data else {
            self.shape(
                f,
                line,
                Some("/data".into()),
                format!("`data` is {}, not a list of events", type_name(&data)),
            );
            return;
        };
        if items.len() > MAX_EVENTS_PER_REQUEST {
            self.shape(f, line, Some("/data".into()), format!("the request holds {} events; Meta accepts at most {MAX_EVENTS_PER_REQUEST} and rejects the whole request", items.len()));
        }
        if items.is_empty() {
            self.shape(
                f,
                line,
                Some("/data".into()),
                "`data` is an empty list".into(),
            );
        }
        for (i, item) in items.into_iter().enumerate() {
            let at = element_lines
                .and_then(|l| l.get(i))
                .copied()
                .unwrap_or(line);
            let pointer = format!("/data/{i}");
            match item {
                Value::Object(o) => self.event(side, f, at, Some(pointer), &o),
                other => self.shape(
                    f,
                    at,
                    Some(pointer),
                    format!("data/{i} is {}, not an event object", type_name(&other)),
                ),
            }
        }
    }

    /// One event object: the payload rules, the sheet rules, then the dedupe index and orders.
    pub(super) fn event(
        &mut self,
        side: Side,
        f: u32,
        line: usize,
        pointer: Option<String>,
        obj: &Map<String, Value>,
    ) {
        let c = event::capture(obj);
        let mut issues = Vec::new();
        if c.name.is_none() {
            let at = pointer
                .as_deref()
                .map_or(String::new(), |p| format!(" ({})", &p[1..]));
            issues.push(Issue::new(
                rules::PAYLOAD_SHAPE,
                format!("event{at} has no event_name"),
            ));
        }
        if side == Side::Server {
            let ctx = PayloadContext {
                today: self.opts.today,
                test_capture: self.opts.test_capture,
            };
            issues.extend(event::check_server(obj, &c, &ctx));
        }
        if let Some(sheet) = self.sheet {
            issues.extend(event::check_against_sheet(obj, &c, side, sheet));
        }
        let idx = c.name.as_deref().map(|n| self.intern(n));
        let errors = issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count() as u64;
        for issue in issues {
            self.push_issue(f, line, pointer.clone(), issue);
        }
        let Some(idx) = idx else { return };
        let st = &mut self.stats[idx as usize];
        st.errors += errors;
        match side {
            Side::Browser => st.browser += 1,
            Side::Server => st.server += 1,
        }
        self.index_event(side, f, line, idx, &c);
        if side == Side::Server && c.name.as_deref() == Some("Purchase") && self.orders.is_some() {
            self.match_order(f, line, &c);
        }
    }
}

/// `serde_json`'s message without its own " at line L column C" suffix (the finding has it).
pub(super) fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let msg = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    format!("{msg} (column {})", e.column())
}

/// A first line that does not parse but is plainly one event: keep reading it as JSON Lines.
pub(super) fn looks_like_event_line(text: &[u8]) -> bool {
    let t = text.trim_ascii();
    t.starts_with(b"{")
        && t.len() > 1
        && (contains(t, b"\"event_name\"")
            || contains(t, b"\"event\"")
            || contains(t, b"\"data\"") && t.ends_with(b"}"))
}

pub(super) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
