//! Property tests for the one escaping step (`report::escape`) and the renderers that use it:
//! whatever text an input carries (a file name, a message quoting a value, a captured event
//! name), no control character survives unescaped in any format, no line of a plain-text
//! report starts a GitHub workflow command, and nothing in Markdown becomes a link, an image,
//! HTML, emphasis, code or a mention.

use govsheet::finding::{Finding, Severity};
use govsheet::report::{self, RepoPaths, escape};
use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Text an attacker would write: Markdown and HTML punctuation, workflow-command pieces,
/// mentions, URLs, control characters, bidi overrides, line breaks, and anything else.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("::notice::".to_owned()),
        Just("::error file=x::".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("[link](https://evil.example)".to_owned()),
        Just("![img](http://x/y.png)".to_owned()),
        Just("<img src=x onerror=alert(1)>".to_owned()),
        Just("<b>".to_owned()),
        Just("@org/team".to_owned()),
        Just(" @user ".to_owned()),
        Just("www.evil.example".to_owned()),
        Just("https://evil.example".to_owned()),
        Just("`code`".to_owned()),
        Just("**bold** _em_ ~~s~~".to_owned()),
        Just("| cell |".to_owned()),
        Just("&amp; &#64; &lt;".to_owned()),
        Just("\u{1b}[31m".to_owned()),
        Just("\u{202e}".to_owned()),
        Just("\u{7}\u{0}\u{7f}\u{85}".to_owned()),
        "[ -~]{0,8}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

fn hidden_other_than_newline(text: &str) -> Option<char> {
    text.chars().find(|&c| c != '\n' && escape::is_hidden(c))
}

#[track_caller]
fn no_workflow_command(text: &str) {
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "line starts a workflow command: {line:?}"
        );
    }
}

/// Whether the text holds a GitHub mention: `@` then a letter or digit, at the start or after a
/// character that is not one (after a word character it is an e-mail address at most).
fn mention(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        c == '@'
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric())
            && (i == 0 || !chars[i - 1].is_alphanumeric())
    })
}

/// Inline Markdown in a table cell, rendered: the events inside the cell.
fn cell_events(markdown: &str) -> Vec<Event<'_>> {
    let doc = format!("| h |\n|---|\n| {markdown} |\n");
    let events: Vec<Event<'static>> = Parser::new_ext(&doc, Options::ENABLE_TABLES)
        .map(Event::into_static)
        .collect();
    events
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn control_leaves_no_hidden_character(s in hostile()) {
        let out = escape::control(&s);
        prop_assert!(!out.chars().any(escape::is_hidden), "{out:?}");
        // Nothing is lost: the visible characters of the input are all there, in order.
        let mut rest = out.chars();
        for c in s.chars().filter(|&c| !escape::is_hidden(c)) {
            prop_assert!(rest.any(|o| o == c), "{c:?} lost in {out:?}");
        }
    }

    #[test]
    fn markdown_text_renders_as_plain_text(s in hostile()) {
        let md = escape::markdown(&s);
        prop_assert!(hidden_other_than_newline(&md).is_none() && !md.contains('\n'), "{md:?}");
        for active in ["://", "www."] {
            prop_assert!(!md.contains(active), "{active:?} survives in {md:?}");
        }
        prop_assert!(!mention(&md), "a mention survives in {md:?}");
        let events = cell_events(&md);
        let cells = events.iter().filter(|e| matches!(e, Event::Start(Tag::TableCell))).count();
        // The header cell and the one body cell: the text never splits the row.
        prop_assert_eq!(cells, 2, "{:?}", events);
        for e in &events {
            let ok = match e {
                Event::Text(_) | Event::SoftBreak | Event::HardBreak => true,
                Event::InlineHtml(h) => h.as_ref() == "<br>",
                Event::Start(Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell)
                | Event::End(TagEnd::Table | TagEnd::TableHead | TagEnd::TableRow | TagEnd::TableCell) => true,
                _ => false,
            };
            prop_assert!(ok, "{e:?} from {md:?}");
        }
    }

    #[test]
    fn plain_text_reports_hold_no_hidden_character_nor_command(
        file in hostile(), message in hostile(), help in hostile(),
    ) {
        let f = Finding::new("schema", Severity::Error, message.clone())
            .at_line(&file, 3, 1)
            .with_help(help);
        let findings = vec![f, Finding::new("no-events", Severity::Warning, message)];
        let human = report::human::render(&findings, 1, Default::default());
        prop_assert!(hidden_other_than_newline(&human).is_none(), "{human:?}");
        no_workflow_command(&human);
        // The GitHub format: its own annotations, then a report in which no line is one.
        let gh = report::github::render(&findings, 1, &RepoPaths::new(), Default::default());
        prop_assert!(hidden_other_than_newline(&gh).is_none(), "{gh:?}");
        let commands = gh.lines().filter(|l| l.trim_start().starts_with("::")).count();
        // Two annotations, stop-commands and its end.
        prop_assert_eq!(commands, 4, "{}", gh);
    }

    #[test]
    fn markdown_report_rows_stay_inert(file in hostile(), message in hostile()) {
        let f = Finding::new("schema", Severity::Error, message).at_line(&file, 3, 1);
        let md = report::markdown::render(&[f], 1, &RepoPaths::new(), 10);
        for e in Parser::new_ext(&md, Options::ENABLE_TABLES) {
            let link_ok = match &e {
                // The rule's documentation link is govsheet's own.
                Event::Start(Tag::Link { dest_url, .. }) => dest_url.starts_with(report::RULES_DOC_URL),
                Event::Start(Tag::Image { .. }) | Event::Html(_) => false,
                Event::InlineHtml(h) => h.as_ref() == "<br>",
                _ => true,
            };
            prop_assert!(link_ok, "{e:?} in {md}");
        }
        prop_assert!(hidden_other_than_newline(&md).is_none(), "{md:?}");
    }

    #[test]
    fn structured_formats_carry_the_text_verbatim_or_escaped(file in hostile(), message in hostile()) {
        let f = Finding::new("schema", Severity::Error, message.clone()).at_line(&file, 3, 1);
        let json = report::json::render(std::slice::from_ref(&f), 1);
        let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        prop_assert_eq!(v["findings"][0]["message"].as_str(), Some(message.as_str()));
        // JSON escapes every control character itself (a bidi override, no control
        // character, may stay: a JSON reader gets the text as it was).
        prop_assert!(!json.chars().any(|c| c != '\n' && c.is_control()), "raw control character in JSON");
        let sarif = report::sarif::render(std::slice::from_ref(&f), &[], &RepoPaths::new());
        prop_assert!(serde_json::from_str::<serde_json::Value>(&sarif).is_ok());
        prop_assert!(!sarif.chars().any(|c| c != '\n' && c.is_control()));
        let junit = report::junit::render(
            &[report::junit::SheetFindings { sheet: file.clone(), findings: vec![f] }],
            &[],
            Severity::Error,
        );
        prop_assert!(roxmltree::Document::parse(&junit).is_ok(), "{junit}");
        // XML text may hold a raw tab, line feed or carriage return; nothing else hidden.
        prop_assert!(junit.chars().all(|c| matches!(c, '\t' | '\n' | '\r') || !c.is_control()));
    }
}
