//! The orders CSV of the system of record: a small RFC 4180 reader, column mapping, and the order book.

use std::collections::HashMap;
use std::io::{self, BufRead};

use chrono::{DateTime, NaiveDateTime};

use super::event::Issue;
use super::lines::read_bounded;
use super::rules;

/// The longest CSV record read (a quoted field may span lines).
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// Which column holds each order field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    pub id: Option<String>,
    pub name: Option<String>,
    pub value: Option<String>,
    pub currency: Option<String>,
    pub time: Option<String>,
    pub status: Option<String>,
}

impl ColumnMap {
    /// Parse `id=COL,value=COL,currency=COL,time=COL` (also `name=` and `status=`).
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut m = ColumnMap::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not FIELD=COLUMN"))?;
            let v = Some(v.trim().to_owned());
            match k.trim() {
                "id" => m.id = v,
                "name" => m.name = v,
                "value" => m.value = v,
                "currency" => m.currency = v,
                "time" => m.time = v,
                "status" => m.status = v,
                other => {
                    return Err(format!(
                        "unknown field `{other}` (the fields are id, name, value, currency, time, status)"
                    ));
                }
            }
        }
        Ok(m)
    }

    /// Shopify's order export, as it is.
    pub fn shopify() -> Self {
        ColumnMap {
            id: Some("Id".into()),
            name: Some("Name".into()),
            value: Some("Total".into()),
            currency: Some("Currency".into()),
            time: Some("Paid at".into()),
            status: Some("Financial Status".into()),
        }
    }
}

/// One order of the system of record.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: String,
    /// Shopify's `Name` without the leading `#`.
    pub name: Option<String>,
    pub value: Option<f64>,
    pub currency: Option<String>,
    /// Paid time, Unix seconds.
    pub time: Option<i64>,
    /// A paid order must have a Purchase; a pending or voided one need not.
    pub paid: bool,
    /// The line of its first row in the CSV.
    pub line: usize,
    /// A total or currency of the order could not be read, or is blank: it cannot be
    /// reconciled, and counts as unreconciled in the figures.
    pub unreadable: bool,
}

/// Every order, with the keys a Purchase's `order_id` can match.
#[derive(Debug, Clone, Default)]
pub struct OrderBook {
    pub orders: Vec<Order>,
    keys: HashMap<String, usize>,
    /// Rows left out of the book because they could not be read (broken quotes, a field
    /// count other than the header's, no order id): each counts as unreconciled.
    pub unreadable_rows: usize,
}

impl OrderBook {
    /// The order whose id, or whose name without `#`, is `key`.
    pub fn find(&self, key: &str) -> Option<usize> {
        self.keys
            .get(key)
            .or_else(|| self.keys.get(key.trim_start_matches('#')))
            .copied()
    }

    pub fn len(&self) -> usize {
        self.orders.len()
    }

    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }
}

/// Why the orders could not be read at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum OrdersError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("the file is empty (no header row)")]
    Empty,
    #[error("line {line}: {message}")]
    Malformed { line: usize, message: String },
    #[error(
        "no {} column; the columns are: {}{}",
        missing.join(", no "),
        has.join(", "),
        hint
    )]
    MissingColumns {
        missing: Vec<String>,
        has: Vec<String>,
        hint: &'static str,
    },
}

/// A problem with one row, reported as a finding at its line.
#[derive(Debug, Clone, PartialEq)]
pub struct RowIssue {
    pub line: usize,
    pub issue: Issue,
}

/// Split one CSV record into fields, strictly (RFC 4180): a `"` opens a quoted field only at
/// its start, `""` escapes a quote inside it, and the closing quote is followed by `,` or the
/// end. A quote anywhere else is an error, never a literal: a lenient reader lets one stray
/// quote join the rows after it into one, and the orders on them vanish.
pub fn split_record(record: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = record.chars().peekable();
    let mut quoted = false;
    let mut closed = false;
    let mut at_start = true;
    while let Some(ch) = chars.next() {
        if quoted {
            if ch == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                    closed = true;
                }
            } else {
                field.push(ch);
            }
        } else if ch == ',' {
            fields.push(std::mem::take(&mut field));
            at_start = true;
            closed = false;
        } else if closed {
            return Err(format!(
                "field {} has text after its closing quote",
                fields.len() + 1
            ));
        } else if ch == '"' && at_start {
            quoted = true;
            at_start = false;
        } else if ch == '"' {
            return Err(format!(
                "field {} has a `\"` inside an unquoted value; quote the field and double the quote (`\"5\"\" screen\"`)",
                fields.len() + 1
            ));
        } else {
            field.push(ch);
            at_start = false;
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    fields.push(field);
    Ok(fields)
}

/// Whether `text` ends inside a quoted field (one opened at the start of a field), so the
/// record goes on on the next line. A stray quote inside an unquoted field opens nothing.
fn open_quote(text: &[u8]) -> bool {
    let mut quoted = false;
    let mut at_start = true;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if quoted {
            if b == b'"' {
                if text.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if b == b',' {
            at_start = true;
        } else {
            quoted = b == b'"' && at_start;
            at_start = false;
        }
        i += 1;
    }
    quoted
}

/// Parse a paid time: RFC 3339, Shopify's `2026-11-24 10:15:32 +0100`, `YYYY-MM-DD HH:MM:SS`
/// (UTC) or Unix seconds.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S %z") {
        return Some(t.timestamp());
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc().timestamp());
        }
    }
    s.parse::<i64>().ok().filter(|&t| t > 0)
}

/// Parse an amount: a plain decimal, optionally with a leading currency symbol stripped.
fn parse_amount(s: &str) -> Option<f64> {
    let s = s.trim();
    let s = s.trim_start_matches(|c: char| !(c.is_ascii_digit() || c == '-' || c == '.'));
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

const PAID: [&str; 4] = ["paid", "partially_paid", "partially_refunded", "refunded"];

/// Read the orders. With no mapping, Shopify's export columns are looked for.
/// Shopify writes one row per line item; rows of one order share `Name`/`Id` and only the
/// first carries the totals, so rows are merged by order.
pub fn read_orders<R: BufRead>(
    mut reader: R,
    mapping: Option<&ColumnMap>,
) -> Result<(OrderBook, Vec<RowIssue>), OrdersError> {
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    let mut record = Vec::new();
    // Returns the next whole record (joining lines inside quotes) and its first line.
    let mut next = |line_no: &mut usize| -> Result<Option<(usize, String)>, OrdersError> {
        record.clear();
        let mut first = 0;
        loop {
            let Some(info) = read_bounded(&mut reader, &mut buf, MAX_RECORD_BYTES)? else {
                if record.is_empty() {
                    return Ok(None);
                }
                return Err(OrdersError::Malformed {
                    line: first,
                    message: "a quoted field is not closed before the end of the file".into(),
                });
            };
            *line_no += 1;
            if first == 0 {
                first = *line_no;
            }
            if info.too_long || record.len() + buf.len() > MAX_RECORD_BYTES {
                return Err(OrdersError::Malformed {
                    line: *line_no,
                    message: format!("a record longer than {MAX_RECORD_BYTES} bytes"),
                });
            }
            if !record.is_empty() {
                record.push(b'\n');
            }
            record.extend_from_slice(&buf);
            if !open_quote(&record) {
                break;
            }
        }
        let text =
            String::from_utf8(std::mem::take(&mut record)).map_err(|e| OrdersError::Malformed {
                line: first,
                message: format!(
                    "not valid UTF-8 (invalid byte at byte {} of the record)",
                    e.utf8_error().valid_up_to()
                ),
            })?;
        Ok(Some((first, text)))
    };
    let (_, header) = loop {
        match next(&mut line_no)? {
            None => return Err(OrdersError::Empty),
            Some((l, h)) if !h.trim().is_empty() => break (l, h),
            Some(_) => {}
        }
    };
    let header = header
        .strip_prefix('\u{feff}')
        .unwrap_or(&header)
        .to_owned();
    let columns: Vec<String> = split_record(&header)
        .map_err(|m| OrdersError::Malformed {
            line: 1,
            message: m,
        })?
        .into_iter()
        .map(|c| c.trim().to_owned())
        .collect();
    let find = |name: &Option<String>| -> Option<usize> {
        let name = name.as_ref()?;
        columns.iter().position(|c| c == name)
    };
    let shopify = ColumnMap::shopify();
    let map = mapping.unwrap_or(&shopify);
    let id_col = find(&map.id);
    let name_col = find(&map.name);
    let value_col = find(&map.value);
    let currency_col = find(&map.currency);
    let time_col = find(&map.time);
    let status_col = find(&map.status);
    let mut missing = Vec::new();
    if id_col.is_none() && name_col.is_none() {
        missing.push(match (&map.id, &map.name) {
            (Some(i), Some(n)) => format!("`{i}` or `{n}`"),
            (Some(c), None) | (None, Some(c)) => format!("`{c}`"),
            (None, None) => "id (map it with id=COL)".into(),
        });
    }
    for (col, field, what) in [
        (value_col, &map.value, "value"),
        (currency_col, &map.currency, "currency"),
    ] {
        if col.is_none() {
            missing.push(match field {
                Some(c) => format!("`{c}`"),
                None => format!("{what} (map it with {what}=COL)"),
            });
        }
    }
    for (col, field) in [(time_col, &map.time), (status_col, &map.status)] {
        if col.is_none() && mapping.is_some() && field.is_some() {
            missing.push(format!("`{}`", field.as_deref().unwrap_or_default()));
        }
    }
    if !missing.is_empty() {
        return Err(OrdersError::MissingColumns {
            missing,
            has: columns.iter().map(|c| format!("`{c}`")).collect(),
            hint: if mapping.is_none() {
                " (map other exports with --orders-columns id=COL,value=COL,currency=COL,time=COL)"
            } else {
                ""
            },
        });
    }
    let mut book = OrderBook::default();
    let mut issues = Vec::new();
    while let Some((line, rec)) = next(&mut line_no)? {
        if rec.trim().is_empty() {
            continue;
        }
        let fields = match split_record(&rec) {
            Ok(f) if f.len() == columns.len() => f,
            Ok(f) => {
                book.unreadable_rows += 1;
                issues.push(RowIssue {
                    line,
                    issue: Issue::new(
                        rules::ORDERS_ROW,
                        format!(
                            "row {line} has {} fields, the header has {}: not reconciled",
                            f.len(),
                            columns.len()
                        ),
                    )
                    .help("every row has one field per header column; quote a value that holds a comma"),
                });
                continue;
            }
            Err(m) => {
                book.unreadable_rows += 1;
                issues.push(RowIssue {
                    line,
                    issue: Issue::new(
                        rules::ORDERS_ROW,
                        format!("row {line} cannot be read: {m}; not reconciled"),
                    ),
                });
                continue;
            }
        };
        let get = |c: Option<usize>| {
            c.and_then(|i| fields.get(i))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let id = get(id_col).map(str::to_owned);
        let name = get(name_col).map(|n| n.trim_start_matches('#').to_owned());
        let Some(key) = id.clone().or_else(|| name.clone()) else {
            book.unreadable_rows += 1;
            issues.push(RowIssue {
                line,
                issue: Issue::new(
                    rules::ORDERS_ROW,
                    format!("row {line} has no order id or name: not reconciled"),
                ),
            });
            continue;
        };
        let existing = book
            .keys
            .get(&key)
            .or_else(|| name.as_ref().and_then(|n| book.keys.get(n)))
            .copied();
        let idx = match existing {
            Some(i) => i,
            None => {
                book.orders.push(Order {
                    id: key.clone(),
                    name: name.clone(),
                    value: None,
                    currency: None,
                    time: None,
                    paid: status_col.is_none(),
                    line,
                    unreadable: false,
                });
                let i = book.orders.len() - 1;
                book.keys.insert(key.clone(), i);
                if let Some(n) = &name {
                    book.keys.entry(n.clone()).or_insert(i);
                }
                i
            }
        };
        let order = &mut book.orders[idx];
        if let Some(v) = get(value_col) {
            match parse_amount(v) {
                Some(a) if order.value.is_none() => order.value = Some(a),
                Some(_) => {}
                None => unreadable(
                    order,
                    &mut issues,
                    line,
                    format!(
                        "row {line}: order {key}: total `{}` is not a number: not reconciled",
                        crate::finding::shorten(v, 40)
                    ),
                    "write totals as plain decimals (`1000.00`), without thousands separators",
                ),
            }
        }
        if let Some(c) = get(currency_col)
            && order.currency.is_none()
        {
            if is_currency(c) {
                order.currency = Some(c.to_ascii_uppercase());
            } else {
                unreadable(
                    order,
                    &mut issues,
                    line,
                    format!(
                        "row {line}: order {key}: currency `{}` is not an ISO 4217 code: not reconciled",
                        crate::finding::shorten(c, 40)
                    ),
                    "write the currency as its three-letter code, e.g. `EUR`",
                );
            }
        }
        if let Some(t) = get(time_col)
            && order.time.is_none()
        {
            match parse_time(t) {
                Some(ts) => order.time = Some(ts),
                None => issues.push(RowIssue {
                    line,
                    issue: Issue::new(
                        rules::ORDERS_ROW,
                        format!("order {key}: time `{t}` is not a date and time"),
                    )
                    .help("write times as RFC 3339, `YYYY-MM-DD HH:MM:SS +ZZZZ` or Unix seconds"),
                }),
            }
        }
        if let Some(s) = get(status_col) {
            order.paid = PAID.contains(&s.to_ascii_lowercase().as_str());
        }
    }
    // A total or currency no row of the order carries is blank: the order cannot be
    // reconciled (Shopify writes them on the order's first row only, so this is per order).
    for o in &mut book.orders {
        for (blank, what) in [
            (o.value.is_none(), "total"),
            (o.currency.is_none(), "currency"),
        ] {
            if blank && !o.unreadable {
                issues.push(RowIssue {
                    line: o.line,
                    issue: Issue::new(
                        rules::ORDERS_ROW,
                        format!(
                            "row {}: order {} has no {what}: not reconciled",
                            o.line, o.id
                        ),
                    ),
                });
            }
        }
        if o.value.is_none() || o.currency.is_none() {
            o.unreadable = true;
        }
    }
    issues.sort_by_key(|i| i.line);
    Ok((book, issues))
}

/// A three-letter currency code (`EUR`, `usd`).
fn is_currency(c: &str) -> bool {
    c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic())
}

/// A field of an order's row that cannot be read: the order is not reconciled, and the row
/// is an `orders-row` finding.
fn unreadable(
    order: &mut Order,
    issues: &mut Vec<RowIssue>,
    line: usize,
    message: String,
    help: &str,
) {
    order.unreadable = true;
    issues.push(RowIssue {
        line,
        issue: Issue::new(rules::ORDERS_ROW, message).help(help),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields() {
        assert_eq!(
            split_record(
                r#"a,"b,c","say ""hi""",,"x
y""#
            )
            .unwrap(),
            vec!["a", "b,c", "say \"hi\"", "", "x\ny"]
        );
        assert!(split_record("\"open").is_err());
    }

    #[test]
    fn reads_shopify_rows_merged_by_order() {
        let csv = "\u{feff}Name,Email,Financial Status,Paid at,Currency,Total,Lineitem name,Id\n\
#1001,a@x.com,paid,2026-11-24 10:15:32 +0100,EUR,59.90,\"Beans, 1kg\",5001\n\
#1001,,,,,,Grinder,5001\n\
#1002,b@x.com,pending,,EUR,12.00,Beans,5002\n";
        let (book, issues) = read_orders(csv.as_bytes(), None).unwrap();
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(book.len(), 2);
        let o = &book.orders[book.find("1001").unwrap()];
        assert_eq!(o.id, "5001");
        assert_eq!(o.value, Some(59.90));
        // 2026-11-24 09:15:32 UTC
        assert_eq!(o.time, Some(1_795_511_732));
        assert!(o.paid);
        assert_eq!(book.find("5001"), book.find("#1001"));
        assert!(!book.orders[book.find("1002").unwrap()].paid);
    }

    #[test]
    fn missing_columns_name_the_columns_it_has() {
        let err = read_orders(&b"order,amount\n1,2\n"[..], None).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("`order`, `amount`"), "{text}");
        assert!(text.contains("--orders-columns"), "{text}");
        let map = ColumnMap::parse("id=order,value=amount,currency=cur").unwrap();
        let err = read_orders(&b"order,amount\n1,2\n"[..], Some(&map)).unwrap_err();
        assert!(err.to_string().contains("no `cur`"), "{err}");
    }

    #[test]
    fn mapped_columns_and_bad_rows() {
        let map = ColumnMap::parse("id=id, value=total,currency=currency,time=paid_at").unwrap();
        let csv = "id,total,currency,paid_at\n7,abc,EUR,2026-11-24T10:00:00Z\n8,5,usd,yesterday\n";
        let (book, issues) = read_orders(csv.as_bytes(), Some(&map)).unwrap();
        assert_eq!(book.len(), 2);
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0].line, 2);
        assert!(issues[0].issue.message.contains("`abc`"));
        assert_eq!(issues[1].line, 3);
        assert_eq!(book.orders[1].currency.as_deref(), Some("USD"));
        assert!(book.orders[1].paid);
        assert!(ColumnMap::parse("colour=x").is_err());
        assert!(ColumnMap::parse("id").is_err());
    }

    #[test]
    fn a_stray_quote_is_an_error_and_joins_no_rows() {
        assert!(split_record("1,5\" screen,x").is_err());
        assert!(split_record("1,\"ab\"c,x").is_err());
        assert!(!open_quote(b"1,5\" screen,x"));
        assert!(open_quote(b"1,\"a,b"));
        assert!(!open_quote(b"1,\"a\"\"b\",c"));
        let map = ColumnMap::parse("id=id,value=total,currency=cur").unwrap();
        let csv = "id,total,cur,note\n1,5,EUR,5\" screen\n2,6,EUR,x\n3,7,EUR\n4,8,EUR,y,z\n";
        let (book, issues) = read_orders(csv.as_bytes(), Some(&map)).unwrap();
        assert_eq!(book.len(), 1, "{book:?}");
        assert_eq!(book.unreadable_rows, 3);
        let lines: Vec<usize> = issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, [2, 4, 5]);
        assert!(
            issues[1]
                .issue
                .message
                .contains("3 fields, the header has 4")
        );
    }

    #[test]
    fn unreadable_and_blank_totals_and_currencies_mark_the_order() {
        let map = ColumnMap::parse("id=id,value=total,currency=cur").unwrap();
        let csv = "id,total,cur\n1,\"€1,000.00\",EUR\n2,,EUR\n3,5,\n4,5,€\n5,5,eur\n";
        let (book, issues) = read_orders(csv.as_bytes(), Some(&map)).unwrap();
        let unreadable: Vec<bool> = book.orders.iter().map(|o| o.unreadable).collect();
        assert_eq!(unreadable, [true, true, true, true, false]);
        let lines: Vec<usize> = issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
    }

    #[test]
    fn empty_and_unclosed_files_are_errors() {
        assert!(matches!(
            read_orders(&b""[..], None),
            Err(OrdersError::Empty)
        ));
        let csv = "Name,Total,Currency\n\"#1,5,EUR\n";
        assert!(matches!(
            read_orders(csv.as_bytes(), None),
            Err(OrdersError::Malformed { line: 2, .. })
        ));
    }
}
