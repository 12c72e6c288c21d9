//! `cargo bench --bench check_large`: load and check a generated 10,000-event sheet (schema,
//! every policy rule, waivers) and print the median time of a run. The target is well under
//! 200 ms in release. `GOVSHEET_BENCH_PHASES=N` times each phase once on N events instead.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use govsheet::policy::{self, Input};

fn sheet(events: usize) -> String {
    let mut s = String::from(
        "version: 1\nowners:\n  tracking: {name: T}\n  commerce: {name: C}\nsystems:\n  orders: {kind: order-system, owner: commerce}\n  pixel: {kind: browser, owner: tracking}\n  capi: {kind: server, owner: tracking}\ncomponents:\n  checkout: {owner: tracking, paths: [\"checkout/**\"], retests: [dedupe]}\nretests:\n  dedupe: {owner: tracking, method: place 3 orders, max_age: 30d}\nevents:\n",
    );
    for i in 0..events {
        s.push_str(&format!(
            "  Custom{i}:\n    meaning: custom event {i}\n    owner: tracking\n    browser: {{system: pixel, fires_on: page}}\n    server: {{system: capi, fires_on: hook}}\n    event_id: {{logic: same id, format: \"c-{{id}}\", generated_by: orders}}\n    parameters:\n      value: {{source_of_truth: orders, owner: commerce, required: true}}\n      currency: {{source_of_truth: orders, owner: {}, required: true}}\n    triggers: [checkout]\n    retests: [dedupe]\n    rollback: {{rule: revert, pause: [budget], resume_when: ok}}\n",
            if i % 100 == 0 { "comerce" } else { "commerce" }
        ));
    }
    s.push_str("waivers:\n  - {rule: unknown-reference, target: /events/Custom0, reason: r, approved_by: tracking, expires: 2027-01-01}\n");
    s
}

fn main() {
    if let Ok(n) = std::env::var("GOVSHEET_BENCH_PHASES") {
        let n: usize = n.parse().unwrap_or(1000);
        let text = sheet(n);
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let t = Instant::now();
        let root = govsheet::sheet::yaml::parse(&text);
        println!("{n} events: yaml {:?}", t.elapsed());
        let t = Instant::now();
        let loaded = govsheet::sheet::load("bench.yaml", text.clone().into_bytes());
        println!("{n} events: load {:?} ({})", t.elapsed(), root.is_ok());
        let Some(sheet) = loaded.sheet else { return };
        let p = policy::core();
        let t = Instant::now();
        let f = p.check(&sheet, &Input::new(today, None));
        println!("{n} events: check {:?}", t.elapsed());
        let t = Instant::now();
        let out = p.finalize(&sheet, f, today, &|id| p.runs_in_check(id));
        println!("{n} events: finalize {:?} {}", t.elapsed(), out.len());
        return;
    }
    let text = sheet(10_000);
    let files: Vec<String> = (0..2_000).map(|i| format!("checkout/f{i}.js")).collect();
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
    let mut times: Vec<Duration> = Vec::new();
    let mut count = 0;
    for _ in 0..7 {
        let start = Instant::now();
        let loaded = govsheet::sheet::load("bench.yaml", text.clone().into_bytes());
        let Some(sheet) = loaded.sheet else {
            eprintln!(
                "the generated sheet did not load: {:?}",
                loaded.findings.first().map(|f| &f.message)
            );
            return;
        };
        let p = policy::core();
        let mut findings = loaded.findings;
        findings.extend(p.check(&sheet, &Input::new(today, Some(&files))));
        let out = p.finalize(&sheet, findings, today, &|id| p.runs_in_check(id));
        times.push(start.elapsed());
        count = out.len();
    }
    times.sort();
    println!(
        "check of a 10,000-event sheet ({} bytes, {count} findings): median {:?}, min {:?}",
        text.len(),
        times[times.len() / 2],
        times[0]
    );
}
