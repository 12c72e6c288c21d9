//! The orders CSV reader of `govsheet verify` alone: any bytes as an orders export (a first
//! line `#map FIELD=COLUMN,...` is `--orders-columns`). Nothing may panic, and nothing may drop
//! out silently: every row the reader leaves out is counted and has a finding, every order
//! whose total or currency could not be read has a finding, and every line named is a line
//! of the input.
#![no_main]

use std::io::Cursor;

use govsheet::verify::orders::{ColumnMap, read_orders};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (mapping, body) = match data.strip_prefix(b"#map ") {
        Some(rest) => {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let spec = String::from_utf8_lossy(&rest[..end]);
            (ColumnMap::parse(&spec).ok(), &rest[(end + 1).min(rest.len())..])
        }
        None => (None, data),
    };
    let Ok((book, issues)) = read_orders(Cursor::new(body), mapping.as_ref()) else {
        return;
    };
    let lines = body.split(|&b| b == b'\n').count().max(1);
    for i in &issues {
        assert!(i.line >= 1 && i.line <= lines, "issue at line {} of {lines}", i.line);
    }
    assert!(
        book.unreadable_rows <= issues.len(),
        "{} rows left out, {} findings",
        book.unreadable_rows,
        issues.len()
    );
    for o in &book.orders {
        assert!(o.line >= 2 && o.line <= lines, "order at line {} of {lines}", o.line);
        assert!(o.value.is_none_or(f64::is_finite), "{o:?}");
        if o.unreadable {
            assert!(
                issues.iter().any(|i| i.line >= o.line),
                "order {o:?} is unreadable without a finding"
            );
        }
        if o.value.is_none() || o.currency.is_none() {
            assert!(o.unreadable, "{o:?} has a blank total or currency but counts as readable");
        }
    }
});
