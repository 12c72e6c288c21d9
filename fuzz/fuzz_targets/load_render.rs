//! Any bytes as a sheet: decode -> YAML -> schema -> model -> the core policy (rules and
//! waivers) -> every renderer. Nothing may panic, and every reported place must lie inside
//! the text.
#![no_main]

use govsheet::{policy, report, sheet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut loaded = sheet::load("governance.yaml", data.to_vec());
    if let Some(s) = &loaded.sheet {
        let today = sheet::model::parse_date("2026-11-25").expect("a date");
        let files = [
            "theme/layout/theme.liquid".to_string(),
            "server/capi.js".to_string(),
        ];
        let input = policy::Input::new(today, Some(&files));
        let core = policy::core();
        let mut findings = std::mem::take(&mut loaded.findings);
        findings.extend(core.check(s, &input));
        loaded.findings = core.finalize(s, findings, today, &|id| core.runs_in_check(id));
    }
    let text = &loaded.source.text;
    let lines = text.split('\n').count();
    for f in &loaded.findings {
        if let Some(s) = f.span {
            assert!(s.end() <= text.len(), "span past the end: {f:?}");
            assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end()));
        }
        let loc = f.location.expect("every finding of a file has a location");
        assert!(
            loc.line >= 1 && loc.line <= lines,
            "line outside the file: {f:?}"
        );
        assert!(loc.column >= 1);
    }
    let human = report::human::render(&loaded.findings, 1, Default::default());
    assert!(human.ends_with('\n'));
    let coloured = report::human::render(
        &loaded.findings,
        1,
        report::human::HumanOptions {
            color: true,
            max_findings: 5,
            width: 60,
        },
    );
    assert!(!coloured.is_empty());
    let json = report::json::render(&loaded.findings, 1);
    assert!(json.starts_with('{'));
});
