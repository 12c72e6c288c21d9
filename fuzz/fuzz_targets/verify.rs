//! `govsheet verify` end to end, in memory. The input is split at `\x03` bytes into up to four
//! parts: server capture lines, browser capture lines, an orders CSV (Shopify columns, or the
//! mapping of `--orders-columns` in the first line when it starts with `#map `), and a governance sheet (the custom
//! backend example when the part is absent). Everything goes through the real readers, the
//! reconciliation and every verify renderer. Nothing may panic, and every finding's location
//! must lie inside the input it names.
#![no_main]

use std::io::Cursor;

use chrono::NaiveDate;
use govsheet::report::{self, human::HumanOptions};
use govsheet::sheet;
use govsheet::verify::{self, Options, Verifier, event::Side, orders::ColumnMap};
use libfuzzer_sys::fuzz_target;

const EXAMPLE: &str = include_str!("../../examples/custom-backend/governance.yaml");

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 3);
    let server = parts.next().unwrap_or_default();
    let browser = parts.next().unwrap_or_default();
    let orders = parts.next();
    let sheet_bytes = parts.next().map_or(EXAMPLE.as_bytes().to_vec(), <[u8]>::to_vec);
    let loaded = sheet::load("governance.yaml", sheet_bytes);
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let mut v = Verifier::new(
        loaded.sheet.as_ref(),
        Options {
            today,
            test_capture: server.first().is_some_and(|b| b & 1 == 1),
            max_per_rule: 5,
        },
    );
    if let Some(csv) = orders {
        let (mapping, body) = match csv.strip_prefix(b"#map ") {
            Some(rest) => {
                let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
                let spec = String::from_utf8_lossy(&rest[..end]);
                (ColumnMap::parse(&spec).ok(), &rest[end.min(rest.len())..])
            }
            None => (None, csv),
        };
        if let Ok((book, issues)) = verify::orders::read_orders(Cursor::new(body), mapping.as_ref())
        {
            let id = v.add_file("orders.csv");
            v.set_orders(id, book, issues);
        }
    }
    for (side, name, bytes) in [
        (Side::Server, "server.jsonl", server),
        (Side::Browser, "browser.jsonl", browser),
    ] {
        let id = v.add_file(name);
        v.feed(side, id, Cursor::new(bytes)).expect("reading memory cannot fail");
    }
    let result = v.finish();
    let located = report::verify::located(&result);
    for f in &located {
        if let Some(l) = f.location {
            assert!(l.line >= 1 && l.column >= 1, "{f:?}");
        }
    }
    let _ = report::verify::human(&result, HumanOptions::default());
    let _ = report::verify::human(&result, HumanOptions { color: true, ..Default::default() });
    let _ = report::verify::json(&result);
    let _ = report::verify::markdown(&result);
    let _ = report::verify::junit(&result, &[], govsheet::finding::Severity::Error);
    let _ = report::sarif::render(&located, &[], &report::RepoPaths::new());
});
