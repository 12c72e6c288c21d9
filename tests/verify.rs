//! End-to-end tests of `govsheet verify`: the binary on capture files, its output and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const T: i64 = 1_795_478_400; // 2026-11-24T00:00:00Z
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
    rollback: {pause: [budget, roas]}
"#;

fn purchase(order: u32, value: f64, currency: &str) -> String {
    format!(
        r#"{{"event_name":"Purchase","event_time":{T},"event_id":"purchase-{order}","action_source":"website","event_source_url":"https://shop.example/thanks","user_data":{{"em":["{HASH}"],"client_user_agent":"UA","client_ip_address":"203.0.113.7"}},"custom_data":{{"value":{value},"currency":"{currency}","order_id":"{order}"}}}}"#
    )
}

fn pixel(order: u32, value: f64) -> String {
    format!(
        r#"{{"event":"Purchase","eventID":"purchase-{order}","event_time":{},"custom_data":{{"value":{value},"currency":"EUR","order_id":"{order}"}}}}"#,
        T - 3
    )
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        let d = Dir(tempfile::tempdir().expect("a temp dir"));
        d.write("governance.yaml", SHEET);
        d
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_govsheet"))
            .current_dir(self.path())
            .env_remove("GOVSHEET_TODAY")
            .env("NO_COLOR", "1")
            .args(["--today", "2026-11-25", "--color", "never", "verify"])
            .args(args)
            .output()
            .expect("the binary runs")
    }
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("stdout is JSON")
}

#[test]
fn clean_capture_exits_0_with_the_table() {
    let d = Dir::new();
    d.write(
        "server.jsonl",
        &format!(
            "{}\n{}\n",
            purchase(1, 10.0, "EUR"),
            purchase(2, 20.0, "EUR")
        ),
    );
    d.write(
        "browser.jsonl",
        &format!("{}\n{}\n", pixel(1, 10.0), pixel(2, 20.0)),
    );
    d.write(
        "orders.csv",
        "Name,Total,Currency,Id\n#1,10.00,EUR,501\n#2,20.00,EUR,502\n",
    );
    let o = d.run(&[
        "--server",
        "server.jsonl",
        "--browser",
        "browser.jsonl",
        "--orders",
        "orders.csv",
    ]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    let first_lines: Vec<&str> = out.lines().take(4).collect();
    assert!(
        first_lines[0].contains("3 input files against sheet governance.yaml"),
        "{out}"
    );
    assert!(
        first_lines[2].starts_with("event") && first_lines[2].contains("dedupe rate"),
        "{out}"
    );
    assert!(
        first_lines[3].starts_with("Purchase")
            && first_lines[3].contains("1.000")
            && first_lines[3].contains("2/2 orders"),
        "{out}"
    );
    assert!(out.contains("ok: no findings in 3 input files"), "{out}");
    assert!(!out.contains("what to pause"), "{out}");
}

#[test]
fn json_report_carries_findings_figures_and_pause() {
    let d = Dir::new();
    d.write(
        "server.jsonl",
        &format!("{}\n{}\n", purchase(1, 10.0, "EUR"), purchase(2, 25.0, "$")),
    );
    d.write("browser.jsonl", &format!("{}\n", pixel(1, 10.0)));
    d.write(
        "orders.csv",
        "id,amount,cur\n1,10,EUR\n2,20,EUR\n3,30,EUR\n",
    );
    let o = d.run(&[
        "--server",
        "server.jsonl",
        "--browser",
        "browser.jsonl",
        "--orders",
        "orders.csv",
        "--orders-columns",
        "id=id,value=amount,currency=cur",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
    let v = json(&o);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    for r in [
        "payload-currency-value",
        "dedupe-rate",
        "order-reconciliation",
    ] {
        assert!(rules.contains(&r), "{r}: {rules:?}");
    }
    let cv = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "payload-currency-value")
        .expect("one");
    assert_eq!(cv["file"], "server.jsonl");
    assert_eq!(cv["line"], 2);
    let purchase_row = &v["events"][0];
    assert_eq!(purchase_row["event"], "Purchase");
    assert_eq!(purchase_row["pairs"], 1);
    assert_eq!(purchase_row["dedupe_rate"], 0.5);
    assert_eq!(v["orders"]["orders_without_purchase"], 1);
    assert_eq!(v["orders"]["currency_mismatches"], 1, "`$` against EUR");
    assert_eq!(
        v["orders"]["value_drift"], 0,
        "values in different currencies are not compared"
    );
    assert_eq!(
        v["paused"][0]["conclusions"],
        serde_json::json!(["budget", "roas"])
    );
    assert_eq!(v["summary"]["files"], 3);
}

#[test]
fn markdown_leads_with_the_table_and_ends_with_the_pause() {
    let d = Dir::new();
    d.write("server.jsonl", &format!("{}\n", purchase(1, 10.0, "EUR")));
    d.write("browser.jsonl", &format!("{}\n", pixel(1, 99.0)));
    let o = d.run(&[
        "--server",
        "server.jsonl",
        "--browser",
        "browser.jsonl",
        "--format",
        "markdown",
    ]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.starts_with("# govsheet verify\n"), "{out}");
    let table = out.find("| event | server |").expect("a table");
    let findings = out.find("## Findings").expect("findings");
    let pause = out.find("## What to pause").expect("a pause section");
    assert!(table < findings && findings < pause, "{out}");
    assert!(out.contains("`parameter-parity`"), "{out}");
    assert!(
        out.trim_end().ends_with("- Purchase: pause budget, roas"),
        "{out}"
    );
}

#[test]
fn example_capture_set_shows_every_figure() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/custom-backend/captures");
    let sheet = Dir::new();
    sheet.write(
        "governance.yaml",
        "version: 1\nevents:\n  Purchase:\n    browser: {system: web}\n    server: {system: capi}\n    event_id: {logic: shared, format: \"purchase-{order_id}\"}\n  Lead:\n    browser: {system: web}\n    server: {system: capi}\n    event_id: {logic: shared, format: \"lead-{lead_id}\"}\n  Subscribe:\n    server: {system: capi}\n",
    );
    let p = |rel: &str| root.join(rel).display().to_string();
    let o = sheet.run(&[
        "--server",
        &p("server/batch-2026-11-24.json"),
        &p("server/outbox.jsonl"),
        "--browser",
        &p("browser/pixel-2026-11-24.jsonl"),
        "--orders",
        &p("orders.csv"),
        "--orders-columns",
        "id=id,value=total,currency=currency,time=paid_at",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
    let v = json(&o);
    let purchase_row = &v["events"][0];
    assert_eq!(
        (
            purchase_row["server"].as_u64(),
            purchase_row["browser"].as_u64()
        ),
        (Some(7), Some(6))
    );
    assert_eq!(purchase_row["pairs"], 5);
    assert_eq!(purchase_row["deduplicated"], 4);
    assert_eq!(purchase_row["outside_window"], 1);
    assert_eq!(purchase_row["parity_mismatches"], 2);
    let o = &v["orders"];
    for (k, want) in [
        ("orders_matched", 5),
        ("orders_without_purchase", 1),
        ("purchases_without_order", 1),
        ("duplicate_orders", 1),
        ("value_drift", 1),
        ("currency_mismatches", 1),
    ] {
        assert_eq!(o[k], want, "{k}");
    }
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    for r in [
        "dedupe-id-reused",
        "payload-user-data",
        "payload-unplanned-event",
        "payload-wrong-path",
        "payload-event-id",
        "dedupe-window",
    ] {
        assert!(rules.contains(&r), "{r}: {rules:?}");
    }
}

#[test]
fn bad_input_is_a_finding_never_a_panic() {
    let d = Dir::new();
    let mut bytes = format!("{}\n", purchase(1, 10.0, "EUR")).into_bytes();
    bytes.extend_from_slice(b"{\"event_name\": \"Purchase\", \"event_time\": }\n");
    bytes.extend_from_slice(b"{\"event_name\": \"Purch\xe9se\"}\n");
    bytes.extend_from_slice(b"{\"data\": \"not a list\"}\n");
    bytes.extend_from_slice(&vec![b'x'; 2 << 20]);
    bytes.extend_from_slice(b"\n");
    std::fs::write(d.path().join("bad.jsonl"), &bytes).expect("write");
    d.write("empty.jsonl", "");
    let o = d.run(&["--server", "bad.jsonl", "empty.jsonl", "--format", "json"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let v = json(&o);
    let shapes: Vec<(String, u64)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "payload-shape")
        .map(|f| {
            (
                f["file"].as_str().unwrap_or("").to_owned(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        shapes,
        vec![
            ("bad.jsonl".to_owned(), 2),
            ("bad.jsonl".to_owned(), 3),
            ("bad.jsonl".to_owned(), 4),
            ("bad.jsonl".to_owned(), 5),
            ("empty.jsonl".to_owned(), 1),
        ]
    );
}

#[test]
fn run_stopping_errors_exit_2_naming_the_file() {
    let d = Dir::new();
    d.write("server.jsonl", &format!("{}\n", purchase(1, 10.0, "EUR")));
    let o = d.run(&["--server", "missing.jsonl"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("missing.jsonl: no such file"), "{err}");
    d.write("orders.csv", "order,amount\n1,2\n");
    let o = d.run(&["--server", "server.jsonl", "--orders", "orders.csv"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("orders.csv") && err.contains("the columns are: `order`, `amount`"),
        "{err}"
    );
    let o = d.run(&[
        "--server",
        "server.jsonl",
        "--orders",
        "orders.csv",
        "--orders-columns",
        "id=order,worth=amount",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o)
            .1
            .contains("--orders-columns: unknown field `worth`")
    );
    let o = d.run(&["--server", "server.jsonl", "--sheet", "nope.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("nope.yaml"));
    let o = d.run(&[]);
    assert_eq!(o.status.code(), Some(2), "--server is required");
}

#[test]
fn fail_on_warning_and_test_captures() {
    let d = Dir::new();
    d.write(
        "body.json",
        &format!(
            "{{\"data\": [{}], \"test_event_code\": \"TEST42\"}}\n",
            purchase(1, 10.0, "EUR")
        ),
    );
    let o = d.run(&["--server", "body.json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "a warning does not fail by default: {:?}",
        text(&o)
    );
    assert!(text(&o).0.contains("payload-test-code"));
    let o = Command::new(env!("CARGO_BIN_EXE_govsheet"))
        .current_dir(d.path())
        .args([
            "--today",
            "2026-11-25",
            "--fail-on",
            "warning",
            "verify",
            "--server",
            "body.json",
        ])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    let o = d.run(&["--server", "body.json", "--test-capture"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).0.contains("ok: no findings"), "{:?}", text(&o));
}

#[test]
fn stdin_is_read_with_a_dash() {
    use std::io::Write;
    let d = Dir::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_govsheet"))
        .current_dir(d.path())
        .args([
            "--today",
            "2026-11-25",
            "verify",
            "--server",
            "-",
            "--format",
            "json",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let line = format!("{}\n", purchase(1, 10.0, "$"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(line.as_bytes())
        .expect("write");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["findings"][0]["file"], "<stdin>");
    assert_eq!(v["findings"][0]["rule"], "payload-currency-value");
}

/// The sheet with a router: `purchase-spike` detects order reconciliation, `drift` parity.
const ROUTED: &str = r#"router:
  purchase-spike:
    symptom: Meta Purchase rises, but orders do not
    first_action: >
      Sample 10 orders and compare browser event,
      server log, event_id, value and event_time
    pause: [budget, roas]
    do_not: Do not treat the spike as a scaling signal
    owner: tracking
    detect: [order-reconciliation]
  drift:
    symptom: Purchase value drifts
    first_action: Reconcile 10 orders
    pause: [roas]
    owner: commerce
    detect: [parameter-parity]
"#;

fn routed_run(format: &str) -> (Output, String) {
    let d = Dir::new();
    d.write("governance.yaml", &format!("{SHEET}{ROUTED}"));
    // Two Purchases, three orders: order 3 has no Purchase.
    d.write(
        "server.jsonl",
        &format!(
            "{}\n{}\n",
            purchase(1, 10.0, "EUR"),
            purchase(2, 20.0, "EUR")
        ),
    );
    d.write(
        "orders.csv",
        "id,amount,cur\n1,10,EUR\n2,20,EUR\n3,30,EUR\n",
    );
    let o = d.run(&[
        "--server",
        "server.jsonl",
        "--orders",
        "orders.csv",
        "--orders-columns",
        "id=id,value=amount,currency=cur",
        "--format",
        format,
    ]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    (o, out)
}

#[test]
fn a_detected_finding_names_its_route_first_action_and_pause_in_every_format() {
    let first =
        "Sample 10 orders and compare browser event, server log, event_id, value and event_time";
    let named = "route `purchase-spike` (pause `budget`, `roas` first)";

    let (o, human) = routed_run("human");
    assert_eq!(o.status.code(), Some(1), "{human}");
    assert!(human.contains(named), "{human}");
    // The help wraps at the terminal width: its start is on one line.
    assert!(
        human.contains("help: first action (route `purchase-spike`): Sample 10 orders"),
        "{human}"
    );
    let closing = &human[human
        .find("what to pause until the signal is fixed:")
        .expect("closing")..];
    assert!(
        closing.contains(
            "  route purchase-spike: pause budget, roas first (1 finding of order-reconciliation)\n"
        ),
        "{closing}"
    );
    assert!(
        closing.contains(&format!("    first action: {first}\n")),
        "{closing}"
    );
    assert!(closing.contains("    do not: Do not treat the spike as a scaling signal\n"));
    assert!(closing.contains("    owner: tracking\n"));
    assert!(
        !closing.contains("route drift"),
        "nothing detected drift: {closing}"
    );

    let (_, out) = routed_run("json");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let rec = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "order-reconciliation")
        .expect("an order-reconciliation finding");
    assert!(
        rec["message"].as_str().is_some_and(|m| m.contains(named)),
        "{rec}"
    );
    assert!(
        rec["help"].as_str().is_some_and(
            |h| h.starts_with("first action (route `purchase-spike`): Sample 10 orders")
        ),
        "{rec}"
    );
    assert_eq!(
        v["routes"].as_array().map(Vec::len),
        Some(1),
        "{}",
        v["routes"]
    );
    let r = &v["routes"][0];
    assert_eq!(r["route"], "purchase-spike");
    assert_eq!(r["pause"], serde_json::json!(["budget", "roas"]));
    assert_eq!(r["first_action"], first);
    assert_eq!(r["owner"], "tracking");
    assert_eq!(r["rules"], serde_json::json!(["order-reconciliation"]));

    let (_, md) = routed_run("markdown");
    assert!(md.contains(named), "{md}");
    assert!(
        md.contains("  help: first action (route `purchase-spike`): Sample 10 orders"),
        "{md}"
    );
    let pause = &md[md.find("## What to pause").expect("a pause section")..];
    assert!(
        pause.contains(
            "- route purchase-spike: pause budget, roas first (1 finding of order-reconciliation)\n"
        ),
        "{pause}"
    );
    assert!(
        pause.contains("  - do not: Do not treat the spike as a scaling signal\n"),
        "{pause}"
    );

    for format in ["sarif", "github", "junit"] {
        let (_, out) = routed_run(format);
        assert!(
            out.contains("purchase-spike") && out.contains("Sample 10 orders"),
            "{format}: {out}"
        );
    }
}

/// A route id or pause id that is no kebab-case id (a schema error `verify` still reads) cannot
/// inject a link or HTML into the Markdown report through the messages that name it.
#[test]
fn hostile_route_text_stays_text_in_markdown() {
    let d = Dir::new();
    let hostile = "router:\n  \"x`[a](https://evil.example)`<b>\":\n    first_action: \"[click](https://evil.example) <img src=x>\"\n    pause: [\"p`<i>[y](https://evil.example)\"]\n    detect: [order-reconciliation]\n";
    d.write("governance.yaml", &format!("{SHEET}{hostile}"));
    d.write("server.jsonl", &format!("{}\n", purchase(1, 10.0, "EUR")));
    d.write("orders.csv", "id,amount,cur\n1,10,EUR\n2,20,EUR\n");
    let o = d.run(&[
        "--server",
        "server.jsonl",
        "--orders",
        "orders.csv",
        "--orders-columns",
        "id=id,value=amount,currency=cur",
        "--format",
        "markdown",
    ]);
    let (md, _) = text(&o);
    assert!(md.contains("evil.example"), "the text is still shown: {md}");
    let mut opts = pulldown_cmark::Options::empty();
    opts.insert(pulldown_cmark::Options::ENABLE_TABLES);
    for ev in pulldown_cmark::Parser::new_ext(&md, opts) {
        match ev {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { dest_url, .. }) => {
                panic!("a link from sheet text: {dest_url}\n{md}")
            }
            pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) => {
                panic!("HTML from sheet text: {h}\n{md}")
            }
            _ => {}
        }
    }
}
