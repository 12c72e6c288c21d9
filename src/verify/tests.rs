//! Tests of the verify core fed with in-memory captures, sheets and orders (no files).

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::*;
use crate::sheet::Sheet;

/// 2026-11-24T00:00:00Z, the day before the capture date.
const T: i64 = 1_795_478_400;
const UA: &str = "Mozilla/5.0";
const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

const SHEET: &str = r#"version: 1
events:
  Purchase:
    browser: {system: web}
    server: {system: capi}
    event_id: {logic: one id per order, format: "purchase-{order_id}"}
    parameters:
      value: {required: true}
      currency: {required: true}
      order_id: {required: true}
      note_field: {required: false}
    rollback: {pause: [budget, roas]}
    verify: {min_dedupe_rate: 0.75, max_value_drift: 0.5}
  Lead:
    browser: {system: web}
    server: {system: capi}
    event_id: {logic: one id per lead}
    rollback: {pause: [budget]}
  Subscribe:
    server: {system: capi}
"#;

fn sheet() -> Sheet {
    let loaded = crate::sheet::load("g.yaml", SHEET.as_bytes().to_vec());
    loaded.sheet.expect("the test sheet parses")
}

fn opts() -> Options {
    Options {
        today: NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date"),
        test_capture: false,
        max_per_rule: 0,
    }
}

/// A server event that passes every payload rule.
fn server(name: &str, id: Option<&str>, t: i64, custom: Value) -> Value {
    let mut e = json!({
        "event_name": name,
        "event_time": t,
        "action_source": "website",
        "event_source_url": "https://shop.example/thanks",
        "user_data": {"em": [HASH], "client_ip_address": "203.0.113.7", "client_user_agent": UA,
                      "fbp": "fb.1.1795400000000.123", "fbc": "fb.1.1795400000000.IwAR"},
        "custom_data": custom,
    });
    if let Some(id) = id {
        e["event_id"] = json!(id);
    }
    e
}

fn purchase(order: &str, value: f64, currency: &str, t: i64) -> Value {
    server(
        "Purchase",
        Some(&format!("purchase-{order}")),
        t,
        json!({"value": value, "currency": currency, "order_id": order, "content_ids": ["sku-1"]}),
    )
}

fn browser(name: &str, id: &str, t: i64, custom: Value) -> Value {
    json!({"event": name, "eventID": id, "event_time": t, "custom_data": custom})
}

fn lines(events: &[Value]) -> String {
    events.iter().map(|e| format!("{e}\n")).collect()
}

struct Run<'a> {
    sheet: Option<&'a Sheet>,
    opts: Options,
    server: Vec<String>,
    browser: Vec<String>,
    orders: Option<(String, Option<ColumnMap>)>,
}

impl<'a> Run<'a> {
    fn new(sheet: Option<&'a Sheet>) -> Self {
        Run {
            sheet,
            opts: opts(),
            server: Vec::new(),
            browser: Vec::new(),
            orders: None,
        }
    }
    fn server(mut self, text: impl Into<String>) -> Self {
        self.server.push(text.into());
        self
    }
    fn browser(mut self, text: impl Into<String>) -> Self {
        self.browser.push(text.into());
        self
    }
    fn orders(mut self, csv: &str, map: Option<&str>) -> Self {
        self.orders = Some((
            csv.into(),
            map.map(|m| ColumnMap::parse(m).expect("a mapping")),
        ));
        self
    }
    fn go(self) -> VerifyReport {
        let mut v = Verifier::new(self.sheet, self.opts);
        if let Some((csv, map)) = &self.orders {
            let (book, issues) =
                orders::read_orders(csv.as_bytes(), map.as_ref()).expect("orders read");
            let id = v.add_file("orders.csv");
            v.set_orders(id, book, issues);
        }
        for (i, s) in self.server.iter().enumerate() {
            let id = v.add_file(format!("server{i}.jsonl"));
            v.feed(Side::Server, id, s.as_bytes()).expect("in memory");
        }
        for (i, s) in self.browser.iter().enumerate() {
            let id = v.add_file(format!("browser{i}.jsonl"));
            v.feed(Side::Browser, id, s.as_bytes()).expect("in memory");
        }
        v.finish()
    }
}

fn found<'r>(r: &'r VerifyReport, rule: &str) -> Vec<&'r Finding> {
    r.findings.iter().filter(|f| f.rule == rule).collect()
}

fn row<'r>(r: &'r VerifyReport, event: &str) -> &'r EventRow {
    r.events
        .iter()
        .find(|e| e.event == event)
        .expect("a row for the event")
}

fn one_server(e: Value) -> VerifyReport {
    Run::new(None).server(lines(&[e])).go()
}

#[test]
fn a_clean_event_has_no_findings() {
    let s = sheet();
    let r = Run::new(Some(&s))
        .server(lines(&[purchase("1", 10.0, "EUR", T)]))
        .go();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert!(r.paused.is_empty());
}

#[test]
fn payload_shape() {
    let big = format!(
        "{{\"event_name\": \"{}\"}}\n",
        "x".repeat(MAX_LINE_BYTES + 10)
    );
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            b"{\"event_name\": \"Purchase\", \n".to_vec(),
            "line 1 is not valid JSON",
        ),
        (
            b"{\"data\": {\"event_name\": \"Lead\"}}\n".to_vec(),
            "`data` is an object, not a list",
        ),
        (
            b"{\"data\": [\"Lead\"]}\n".to_vec(),
            "data/0 is a string, not an event object",
        ),
        (b"[1, 2]\n".to_vec(), "a list found where an event object"),
        (b"{\"event_time\": 1}\n".to_vec(), "has no event_name"),
        (
            b"{\"event_name\": \"Le\xffd\"}\n".to_vec(),
            "not valid UTF-8",
        ),
        (big.into_bytes(), "longer than the 1.0 MiB limit"),
        (b"\n  \n".to_vec(), "holds no events"),
        (Vec::new(), "holds no events"),
    ];
    for (input, want) in cases {
        let mut v = Verifier::new(None, opts());
        let id = v.add_file("s.jsonl");
        v.feed(Side::Server, id, &input[..]).expect("in memory");
        let r = v.finish();
        let shape = found(&r, rules::PAYLOAD_SHAPE);
        assert!(
            shape.iter().any(|f| f.message.contains(want)),
            "{want}: {:?}",
            r.findings
        );
    }
    let many = json!({"data": (0..1001).map(|i| purchase(&i.to_string(), 1.0, "EUR", T)).collect::<Vec<_>>()});
    let r = Run::new(None).server(format!("{many}\n")).go();
    let shape = found(&r, rules::PAYLOAD_SHAPE);
    assert_eq!(shape.len(), 1);
    assert!(
        shape[0].message.contains("1001 events"),
        "{}",
        shape[0].message
    );
    assert_eq!(row(&r, "Purchase").server, 1001);
    // passing: a good line next to a broken one still counts, and the broken one is on line 2
    let r = Run::new(None)
        .server(format!("{}\nnot json\n", purchase("1", 1.0, "EUR", T)))
        .go();
    let shape = found(&r, rules::PAYLOAD_SHAPE);
    assert_eq!(shape.len(), 1);
    assert_eq!(shape[0].line(), Some(2));
    assert_eq!(row(&r, "Purchase").server, 1);
}

#[test]
fn a_request_body_over_several_lines_places_each_event() {
    let body = json!({"data": [purchase("1", 1.0, "EUR", T), {"event_name": "Lead"}]});
    let text = serde_json::to_string_pretty(&body).expect("json");
    let lead_line = text
        .lines()
        .position(|l| l.contains("\"Lead\""))
        .expect("the lead line")
        + 1;
    let r = Run::new(None).server(text).go();
    let lead: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.pointer == "/data/1")
        .collect();
    assert!(!lead.is_empty());
    // the scanner points at the opening brace of the element, the line before its first key
    assert!(
        lead.iter().all(|f| f.line() == Some(lead_line - 1)),
        "{lead:?}"
    );
    // a broken body is one finding at serde's line
    let r = Run::new(None)
        .server("{\n  \"data\": [\n    {\"event_name\": }\n  ]\n}\n")
        .go();
    let shape = found(&r, rules::PAYLOAD_SHAPE);
    assert_eq!(shape.len(), 1);
    assert_eq!(shape[0].line(), Some(3));
}

#[test]
fn payload_event_time() {
    let mut cases = Vec::new();
    for (t, want) in [
        (json!(null), "is null"),
        (json!(1.5), "not whole seconds"),
        (json!("1795478400"), "is a string"),
        (json!(T + 3 * 86_400), "in the future"),
        (json!(T * 1000), "looks like milliseconds"),
        (json!(T - 8 * 86_400), "days before the capture date"),
        (json!(i64::MIN + 1), "days before the capture date"),
        (json!(i64::MAX), "in the future"),
    ] {
        let mut e = purchase("1", 1.0, "EUR", T);
        e["event_time"] = t;
        cases.push((e, want));
    }
    let mut missing = purchase("1", 1.0, "EUR", T);
    missing.as_object_mut().map(|o| o.remove("event_time"));
    cases.push((missing, "has no event_time"));
    for (e, want) in cases {
        let r = one_server(e);
        let f = found(&r, rules::EVENT_TIME);
        assert!(
            f.len() == 1 && f[0].message.contains(want),
            "{want}: {:?}",
            r.findings
        );
    }
    // passing: whole seconds written as 1.795e9 float, and exactly 7 days before today
    for t in [json!(1_795_478_400.0), json!(T + 86_400 - 7 * 86_400)] {
        let mut e = purchase("1", 1.0, "EUR", T);
        e["event_time"] = t;
        let r = one_server(e);
        assert!(found(&r, rules::EVENT_TIME).is_empty(), "{:?}", r.findings);
    }
}

#[test]
fn payload_action_source() {
    let mut no_source = purchase("1", 1.0, "EUR", T);
    no_source.as_object_mut().map(|o| o.remove("action_source"));
    let mut unknown = purchase("1", 1.0, "EUR", T);
    unknown["action_source"] = json!("web");
    let mut no_url = purchase("1", 1.0, "EUR", T);
    no_url.as_object_mut().map(|o| o.remove("event_source_url"));
    let mut no_ua = purchase("1", 1.0, "EUR", T);
    no_ua["user_data"]
        .as_object_mut()
        .map(|o| o.remove("client_user_agent"));
    for (e, want) in [
        (no_source, "has no action_source"),
        (unknown, "`web` is not one Meta accepts"),
        (no_url, "without event_source_url"),
        (no_ua, "without user_data.client_user_agent"),
    ] {
        let r = one_server(e);
        let f = found(&r, rules::ACTION_SOURCE);
        assert!(
            f.len() == 1 && f[0].message.contains(want),
            "{want}: {:?}",
            r.findings
        );
    }
    // passing: a non-website source needs neither url nor user agent
    let mut store = purchase("1", 1.0, "EUR", T);
    store["action_source"] = json!("physical_store");
    store.as_object_mut().map(|o| o.remove("event_source_url"));
    assert!(found(&one_server(store), rules::ACTION_SOURCE).is_empty());
}

#[test]
fn payload_user_data() {
    let with = |key: &str, v: Value| {
        let mut e = purchase("1", 1.0, "EUR", T);
        e["user_data"][key] = v;
        e
    };
    let mut none = purchase("1", 1.0, "EUR", T);
    none.as_object_mut().map(|o| o.remove("user_data"));
    let mut empty = purchase("1", 1.0, "EUR", T);
    empty["user_data"] = json!({});
    empty["action_source"] = json!("system_generated");
    for (e, want, sev) in [
        (none, "has no user_data", Severity::Error),
        (empty, "no usable user_data", Severity::Error),
        (
            with("em", json!(["jane@example.com"])),
            "user_data.em is not",
            Severity::Error,
        ),
        (
            with("ph", json!(HASH.to_uppercase())),
            "user_data.ph is not",
            Severity::Error,
        ),
        (
            with("external_id", json!("cust-1")),
            "user_data.external_id",
            Severity::Warning,
        ),
        (
            with("client_ip_address", json!(HASH)),
            "client_ip_address looks hashed",
            Severity::Error,
        ),
        (
            with("fbp", json!("1234567890")),
            "fbp `1234567890` is not of the form",
            Severity::Error,
        ),
        (
            with("fbc", json!("fb.1.abc.x")),
            "fbc `fb.1.abc.x`",
            Severity::Error,
        ),
    ] {
        let r = one_server(e);
        let f = found(&r, rules::USER_DATA);
        assert!(
            f.len() == 1 && f[0].message.contains(want),
            "{want}: {:?}",
            r.findings
        );
        assert_eq!(f[0].severity, sev, "{want}");
    }
    let good = with("external_id", json!([HASH, HASH]));
    assert!(found(&one_server(good), rules::USER_DATA).is_empty());
}

#[test]
fn payload_currency_value() {
    let custom = |c: Value| server("Purchase", Some("purchase-1"), T, c);
    for (c, want) in [
        (
            json!({"value": "$12.00", "currency": "USD", "order_id": "1"}),
            "`$12.00` is a string",
        ),
        (
            json!({"value": -3, "currency": "USD", "order_id": "1"}),
            "value -3 is negative",
        ),
        (
            json!({"value": 12, "currency": "$", "order_id": "1"}),
            "currency `$` is not an ISO 4217",
        ),
        (
            json!({"value": 12, "currency": "ABC", "order_id": "1"}),
            "currency `ABC`",
        ),
        (
            json!({"value": 12, "order_id": "1"}),
            "has no currency in custom_data",
        ),
        (json!({"order_id": "1"}), "has no value and currency"),
    ] {
        let r = one_server(custom(c));
        let f = found(&r, rules::CURRENCY_VALUE);
        assert!(
            f.len() == 1 && f[0].message.contains(want),
            "{want}: {:?}",
            r.findings
        );
    }
    // passing: lowercase ISO code, zero value; a Lead needs neither
    let ok = custom(json!({"value": 0, "currency": "usd", "order_id": "1"}));
    assert!(found(&one_server(ok), rules::CURRENCY_VALUE).is_empty());
    let lead = server("Lead", Some("l"), T, json!({}));
    assert!(found(&one_server(lead), rules::CURRENCY_VALUE).is_empty());
}

#[test]
fn payload_test_code() {
    let body = format!(
        "{}\n",
        json!({"data": [purchase("1", 1.0, "EUR", T)], "test_event_code": "TEST123"})
    );
    let r = Run::new(None).server(body.clone()).go();
    let f = found(&r, rules::TEST_CODE);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(f[0].pointer, "/test_event_code");
    let mut run = Run::new(None).server(body);
    run.opts.test_capture = true;
    assert!(found(&run.go(), rules::TEST_CODE).is_empty());
    let mut e = purchase("1", 1.0, "EUR", T);
    e["test_event_code"] = json!("TEST9");
    assert_eq!(found(&one_server(e), rules::TEST_CODE).len(), 1);
}

#[test]
fn sheet_rules() {
    let s = sheet();
    let run = |server: Vec<Value>, browser: Vec<Value>| {
        let mut r = Run::new(Some(&s)).server(lines(&server));
        if !browser.is_empty() {
            r = r.browser(lines(&browser));
        }
        r.go()
    };
    // unplanned
    let r = run(vec![server("Purchse", Some("x"), T, json!({}))], vec![]);
    let f = found(&r, rules::UNPLANNED_EVENT);
    assert_eq!(f.len(), 1);
    assert!(
        f[0].help
            .as_deref()
            .unwrap_or("")
            .contains("did you mean `Purchase`")
    );
    assert!(
        found(
            &run(vec![purchase("1", 1.0, "EUR", T)], vec![]),
            rules::UNPLANNED_EVENT
        )
        .is_empty()
    );
    // wrong path: Subscribe is server-only
    let sub = json!({"subscription_id": "s"});
    let r = run(
        vec![purchase("1", 1.0, "EUR", T)],
        vec![browser("Subscribe", "s", T, sub.clone())],
    );
    assert_eq!(found(&r, rules::WRONG_PATH).len(), 1);
    let r = run(vec![server("Subscribe", Some("s"), T, sub)], vec![]);
    assert!(found(&r, rules::WRONG_PATH).is_empty());
    // missing parameter: currency required on Purchase; note_field is not required
    let no_currency = server(
        "Purchase",
        Some("purchase-1"),
        T,
        json!({"value": 1, "order_id": "1"}),
    );
    let r = run(vec![no_currency], vec![]);
    let f = found(&r, rules::MISSING_PARAMETER);
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message.contains("custom_data.currency"),
        "{}",
        f[0].message
    );
    assert!(
        found(
            &run(vec![purchase("1", 1.0, "EUR", T)], vec![]),
            rules::MISSING_PARAMETER
        )
        .is_empty()
    );
    // event_id: absent where logic is declared; not following the format
    let r = run(vec![server("Lead", None, T, json!({}))], vec![]);
    assert!(
        found(&r, rules::EVENT_ID)[0]
            .message
            .contains("has no event_id")
    );
    let wrong = server(
        "Purchase",
        Some("order-1"),
        T,
        json!({"value": 1, "currency": "EUR", "order_id": "1"}),
    );
    let r = run(
        vec![wrong],
        vec![browser("Purchase", "purchase-2", T, json!({"order_id": 1}))],
    );
    let f = found(&r, rules::EVENT_ID);
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(
        f.iter()
            .any(|f| f.message.contains("expected `purchase-1`"))
    );
    assert!(
        f.iter()
            .any(|f| f.message.contains("expected `purchase-1`") && f.file.starts_with("browser"))
    );
    let r = run(
        vec![
            purchase("1", 1.0, "EUR", T),
            server("Lead", Some("lead-7"), T, json!({})),
        ],
        vec![browser(
            "Purchase",
            "purchase-1",
            T,
            json!({"order_id": 1, "value": 1.0, "currency": "EUR", "content_ids": ["sku-1"]}),
        )],
    );
    assert!(found(&r, rules::EVENT_ID).is_empty(), "{:?}", r.findings);
}

#[test]
fn event_id_format_placeholders() {
    let m = |v: Value| v.as_object().cloned();
    assert!(
        event::matches_format(
            "purchase-42",
            "purchase-{order_id}",
            m(json!({"order_id": 42})).as_ref()
        )
        .is_ok()
    );
    assert!(event::matches_format("purchase-42", "purchase-{order_id}", None).is_ok());
    assert!(event::matches_format("order-42", "purchase-{order_id}", None).is_err());
    assert!(event::matches_format("purchase-", "purchase-{order_id}", None).is_err());
    assert!(event::matches_format("a-1-b-2", "a-{x}-b-{y}", None).is_ok());
    assert!(event::matches_format(&"x".repeat(5000), "{x}-{y}", None).is_err());
}

/// The crafted capture of the dedupe figures. By hand:
/// browser Purchase ids 1, 2, 3, 4 (4 distinct); server ids 1, 2, 3, 5, 6 and one without an
/// `event_id` (5 distinct + 1 = 6, the larger side). Pairs: 1, 2, 3 = 3; pair 3 is 72 hours apart,
/// outside the window, so Meta deduplicates 2. Rate = 2 / 6 = 0.333 < 0.75 (the sheet's).
/// Unpaired: browser 1 (id 4); server 3 (ids 5, 6 and the one without an id).
/// Parity: pair 2's value differs by 1.0 > 0.5 (the sheet's drift); pair 1 differs by 0.3: fine.
#[test]
fn dedupe_pairs_and_rate_by_hand() {
    let s = sheet();
    let b = |o: &str, v: f64, t: i64| {
        browser(
            "Purchase",
            &format!("purchase-{o}"),
            t,
            json!({"order_id": o, "value": v, "currency": "EUR", "content_ids": ["sku-1"]}),
        )
    };
    let mut no_id = purchase("7", 1.0, "EUR", T);
    no_id.as_object_mut().map(|o| o.remove("event_id"));
    let r = Run::new(Some(&s))
        .server(lines(&[
            purchase("1", 10.0, "EUR", T),
            purchase("2", 20.0, "EUR", T),
            purchase("3", 30.0, "EUR", T),
            purchase("5", 50.0, "EUR", T),
            purchase("6", 60.0, "EUR", T),
            no_id,
        ]))
        .browser(lines(&[
            b("1", 10.3, T - 5),
            b("2", 21.0, T),
            b("3", 30.0, T - 3 * 86_400),
            b("4", 40.0, T),
        ]))
        .go();
    let p = row(&r, "Purchase");
    assert_eq!((p.server, p.browser), (6, 4));
    assert_eq!(p.pairs, 3);
    assert_eq!(p.deduplicated, 2);
    assert_eq!(p.outside_window, 1);
    assert_eq!((p.unpaired_browser, p.unpaired_server), (1, 3));
    let rate = p.dedupe_rate.expect("a rate");
    assert!((rate - 2.0 / 6.0).abs() < 1e-9, "{rate}");
    assert_eq!(p.parity_mismatches, 1);
    let d = found(&r, rules::DEDUPE_RATE);
    assert_eq!(d.len(), 1);
    assert!(
        d[0].message.contains("0.333 is below 0.75"),
        "{}",
        d[0].message
    );
    assert!(
        d[0].message.contains("`purchase-4`") && d[0].message.contains("`purchase-5`"),
        "{}",
        d[0].message
    );
    assert_eq!(d[0].pointer, "/events/Purchase/verify/min_dedupe_rate");
    let w = found(&r, rules::DEDUPE_WINDOW);
    assert_eq!(w.len(), 1);
    assert!(w[0].message.contains("purchase-3") && w[0].message.contains("72.0 hours"));
    let par = found(&r, rules::PARAMETER_PARITY);
    assert_eq!(par.len(), 1);
    assert!(
        par[0].message.contains("value 21 vs 20"),
        "{}",
        par[0].message
    );
    assert_eq!(
        r.paused,
        vec![Paused {
            event: "Purchase".into(),
            conclusions: vec!["budget".into(), "roas".into()]
        }]
    );
}

#[test]
fn dedupe_passes_and_defaults() {
    let s = sheet();
    // Lead has no verify thresholds: the default 0.9 applies; 10 of 10 pair
    let server_leads: Vec<Value> = (0..10)
        .map(|i| server("Lead", Some(&format!("lead-{i}")), T, json!({})))
        .collect();
    let browser_leads: Vec<Value> = (0..10)
        .map(|i| browser("Lead", &format!("lead-{i}"), T + 5, json!({})))
        .collect();
    let r = Run::new(Some(&s))
        .server(lines(&server_leads))
        .browser(lines(&browser_leads))
        .go();
    let l = row(&r, "Lead");
    assert_eq!(l.dedupe_rate, Some(1.0));
    assert_eq!(l.min_dedupe_rate, DEFAULT_MIN_DEDUPE_RATE);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    // 9 of 10 is exactly 0.9: passes; 8 of 10 fails
    for (paired, fails) in [(9, false), (8, true)] {
        let r = Run::new(Some(&s))
            .server(lines(&server_leads))
            .browser(lines(&browser_leads[..paired]))
            .go();
        assert_eq!(!found(&r, rules::DEDUPE_RATE).is_empty(), fails, "{paired}");
    }
    // without a browser capture there is no rate
    let r = Run::new(Some(&s)).server(lines(&server_leads)).go();
    assert_eq!(row(&r, "Lead").dedupe_rate, None);
}

#[test]
fn parity_on_currency_and_content_ids() {
    let r = Run::new(None)
        .server(lines(&[
            purchase("1", 10.0, "EUR", T),
            purchase("2", 10.0, "EUR", T),
        ]))
        .browser(lines(&[
            browser(
                "Purchase",
                "purchase-1",
                T,
                json!({"value": 10.0, "currency": "USD", "content_ids": ["sku-1"]}),
            ),
            browser(
                "Purchase",
                "purchase-2",
                T,
                json!({"value": 10.0, "currency": "eur", "content_ids": ["sku-2"]}),
            ),
        ]))
        .go();
    let f = found(&r, rules::PARAMETER_PARITY);
    assert_eq!(f.len(), 2);
    assert!(
        f[0].message.contains("currency USD vs EUR"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.contains("content_ids differ"),
        "{}",
        f[1].message
    );
    // without a sheet the rate is still computed for events seen on both sides
    assert_eq!(row(&r, "Purchase").dedupe_rate, Some(1.0));
    let r = Run::new(None)
        .server(lines(&[
            purchase("1", 10.0, "EUR", T),
            purchase("2", 10.0, "EUR", T),
        ]))
        .browser(lines(&[browser("Purchase", "purchase-1", T, json!({}))]))
        .go();
    let d = found(&r, rules::DEDUPE_RATE);
    assert_eq!(
        (d.len(), d[0].file.as_str(), d[0].line()),
        (1, "server0.jsonl", None)
    );
}

#[test]
fn dedupe_id_reused() {
    let s = sheet();
    let lead = |t| server("Lead", Some("lead-x"), t, json!({}));
    let r = Run::new(Some(&s))
        .server(lines(&[lead(T), lead(T + 60), lead(T + 120)]))
        .go();
    let f = found(&r, rules::DEDUPE_ID_REUSED);
    assert_eq!(f.len(), 1, "one finding per reused id");
    assert_eq!(f[0].line(), Some(2));
    assert_eq!(row(&r, "Lead").ids_reused, 1);
    // a Purchase id reused for another order
    let mut other = purchase("2", 1.0, "EUR", T);
    other["event_id"] = json!("purchase-1");
    let r = Run::new(None)
        .server(lines(&[purchase("1", 1.0, "EUR", T), other]))
        .go();
    assert!(
        found(&r, rules::DEDUPE_ID_REUSED)[0]
            .message
            .contains("different order_id")
    );
    // passing: a retry of the same action (same time, same order) is not reuse
    let r = Run::new(Some(&s))
        .server(lines(&[
            lead(T),
            lead(T),
            purchase("1", 1.0, "EUR", T),
            purchase("1", 1.0, "EUR", T + 30),
        ]))
        .go();
    assert!(
        found(&r, rules::DEDUPE_ID_REUSED).is_empty(),
        "{:?}",
        r.findings
    );
}

/// Orders 1001..1005; by hand: 1001 matches exactly; 1002 drifts by 2.00 (> 0.5, the sheet's);
/// 1003 is sent as two Purchases with different ids; 1004 (paid) has no Purchase; 1005 is
/// pending and has none either (fine); 1006's Purchase is in USD against EUR; order 9 does not
/// exist; one Purchase has no `order_id`.
#[test]
fn order_reconciliation_by_hand() {
    let s = sheet();
    let csv = "Name,Financial Status,Paid at,Currency,Total,Lineitem name,Id\n\
#1001,paid,2026-11-24 01:00:00 +0000,EUR,10.00,Beans,501\n\
#1001,,,,,Filter,501\n\
#1002,paid,2026-11-24 01:00:00 +0000,EUR,20.00,Beans,502\n\
#1003,paid,2026-11-24 01:00:00 +0000,EUR,30.00,Beans,503\n\
#1004,paid,2026-11-24 01:00:00 +0000,EUR,40.00,Beans,504\n\
#1005,pending,,EUR,50.00,Beans,505\n\
#1006,paid,2026-11-24 01:00:00 +0000,EUR,60.00,Beans,506\n";
    let paid = T + 3600;
    let mut dup = purchase("1003", 30.0, "EUR", paid);
    dup["event_id"] = json!("purchase-1003-b");
    let mut no_order = purchase("x", 5.0, "EUR", paid);
    no_order["custom_data"]
        .as_object_mut()
        .map(|o| o.remove("order_id"));
    let r = Run::new(Some(&s))
        .orders(csv, None)
        .server(lines(&[
            purchase("1001", 10.0, "EUR", paid),
            purchase("502", 22.0, "EUR", paid + 7200),
            purchase("1003", 30.0, "EUR", paid),
            dup,
            purchase("1006", 60.0, "USD", paid),
            purchase("9", 9.0, "EUR", paid),
            no_order,
        ]))
        .go();
    let o = r.orders.as_ref().expect("order figures");
    assert_eq!((o.orders, o.paid_orders), (6, 5));
    assert_eq!(o.orders_matched, 4, "1001, 1002 (by id 502), 1003, 1006");
    assert_eq!(o.purchases_matched, 5);
    assert_eq!(o.orders_without_purchase, 1);
    assert_eq!(o.purchases_without_order, 2);
    assert_eq!(o.duplicate_orders, 1);
    assert_eq!(o.value_drift, 1);
    assert!((o.max_drift - 2.0).abs() < 1e-9);
    assert_eq!(o.max_value_drift, 0.5);
    assert_eq!(o.currency_mismatches, 1);
    assert_eq!(o.time_offsets, 1);
    let msgs: Vec<&str> = found(&r, rules::ORDER_RECONCILIATION)
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    for want in [
        "order #1004 (id 504) has no Purchase",
        "order #1003 (id 503) was sent as 2 Purchases",
        "differs from order 502's total 20 by 2.00",
        "currency USD differs from order 506's EUR",
        "order `9` is not in orders.csv",
        "has no custom_data.order_id",
        "event_time is 120 minutes from order 502's paid time",
    ] {
        assert!(msgs.iter().any(|m| m.contains(want)), "{want}: {msgs:#?}");
    }
    assert_eq!(msgs.len(), 7);
    let without = found(&r, rules::ORDER_RECONCILIATION)
        .into_iter()
        .find(|f| f.message.contains("#1004"))
        .expect("1004");
    assert_eq!(
        (without.file.as_str(), without.line()),
        ("orders.csv", Some(6))
    );
    assert_eq!(r.paused[0].event, "Purchase");
}

#[test]
fn orders_that_reconcile_pass() {
    let csv = "id,total,currency\n1,10,EUR\n2,20.5,EUR\n";
    let r = Run::new(None)
        .orders(csv, Some("id=id,value=total,currency=currency"))
        .server(lines(&[
            purchase("1", 10.0, "EUR", T),
            purchase("2", 20.505, "eur", T),
        ]))
        .go();
    let o = r.orders.as_ref().expect("order figures");
    assert_eq!(
        (o.orders_matched, o.value_drift, o.currency_mismatches),
        (2, 0, 0)
    );
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn orders_row() {
    let r = Run::new(None)
        .orders(
            "id,total,currency\n1,ten,EUR\n",
            Some("id=id,value=total,currency=currency"),
        )
        .server(lines(&[purchase("1", 10.0, "EUR", T)]))
        .go();
    let f = found(&r, rules::ORDERS_ROW);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].line(), Some(2));
    let r = Run::new(None)
        .orders(
            "id,total,currency\n1,10,EUR\n",
            Some("id=id,value=total,currency=currency"),
        )
        .server(lines(&[purchase("1", 10.0, "EUR", T)]))
        .go();
    assert!(found(&r, rules::ORDERS_ROW).is_empty());
}

#[test]
fn findings_are_capped_per_rule_with_a_count() {
    let events: Vec<Value> = (0..30)
        .map(|i| {
            let mut e = purchase(&i.to_string(), 1.0, "EUR", T);
            e["custom_data"]["currency"] = json!("$");
            e
        })
        .collect();
    let mut run = Run::new(None).server(lines(&events));
    run.opts.max_per_rule = 5;
    let r = run.go();
    let f = found(&r, rules::CURRENCY_VALUE);
    assert_eq!(f.len(), 6);
    assert!(f.iter().any(|f| {
        f.message
            .starts_with("25 more `payload-currency-value` findings")
    }));
    let lines: Vec<Option<usize>> = f
        .iter()
        .filter_map(|f| f.location.map(|_| f.line()))
        .collect();
    assert_eq!(lines, vec![Some(1), Some(2), Some(3), Some(4), Some(5)]);
}

#[test]
fn extreme_times_do_not_overflow() {
    let mut far = purchase("1", 1.0, "EUR", T);
    far["event_time"] = json!(i64::MAX);
    let r = Run::new(None)
        .orders(
            "id,total,currency,time\n1,1,EUR,1\n",
            Some("id=id,value=total,currency=currency,time=time"),
        )
        .server(lines(&[far]))
        .browser(lines(&[browser(
            "Purchase",
            "purchase-1",
            i64::MIN + 1,
            json!({"value": 1.0, "currency": "EUR", "content_ids": ["sku-1"]}),
        )]))
        .go();
    assert_eq!(found(&r, rules::DEDUPE_WINDOW).len(), 1);
    assert_eq!(r.orders.as_ref().map(|o| o.time_offsets), Some(1));
}

#[test]
fn the_sheets_policy_rules_turn_verify_rules_off_or_change_their_severity() {
    let text = format!(
        "{SHEET}policy:\n  rules:\n    payload-test-code: error\n    payload-user-data: off\n"
    );
    let s = crate::sheet::load("g.yaml", text.into_bytes())
        .sheet
        .expect("parses");
    let mut e = purchase("1", 1.0, "EUR", T);
    e["test_event_code"] = json!("TEST1");
    e["user_data"]["em"] = json!("plain@example.com");
    let r = Run::new(Some(&s)).server(lines(&[e.clone()])).go();
    assert!(found(&r, rules::USER_DATA).is_empty());
    assert_eq!(found(&r, rules::TEST_CODE)[0].severity, Severity::Error);
    let r = Run::new(None).server(lines(&[e])).go();
    assert_eq!(found(&r, rules::USER_DATA).len(), 1);
    assert_eq!(found(&r, rules::TEST_CODE)[0].severity, Severity::Warning);
}
