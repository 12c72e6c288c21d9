//! The one escaping step for text that comes from the inputs (file names, ids, values,
//! captured event names), per format: [`control`] for every plain-text format (human, the
//! GitHub log, error messages), [`markdown_text`] for Markdown (reports, step summaries, the
//! governance document). JSON, SARIF and `JUnit` escape by their own structure (`serde_json`,
//! `junit::escape_*`). Nothing here knows where the text goes; the renderers call it.

use std::borrow::Cow;

/// Characters that change how a line is read without being visible: C0 and C1 controls, DEL,
/// the Unicode line and paragraph separators, and the bidirectional overrides and isolates
/// (a "Trojan Source" file name that reads backwards in a log).
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// Text for a plain-text report line: every hidden character is written as a visible escape
/// (`\n`, `\r`, `\t`, `\u{1b}`), so a file name holding a newline and `::notice ...` stays on
/// its line and can never start a workflow command or move the cursor of a terminal.
pub fn control(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_control(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_control(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        c => out.push(c),
    }
}

/// A plain-text report as a CI log reads it: a line whose first non-blank characters are `::`
/// is a workflow command to GitHub Actions, and govsheet's own plain-text reports never start a
/// line so. Input text placed at the start of a line (a file named `::notice::x`, an event
/// named so in a capture) gets its first `:` written as `\u{3a}`.
pub fn log_lines(text: String) -> String {
    if !text.lines().any(|l| l.trim_start().starts_with("::")) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let blank = line.len() - line.trim_start().len();
        if line[blank..].starts_with("::") {
            out.push_str(&line[..blank]);
            out.push_str("\\u{3a}");
            out.push_str(&line[blank + 1..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// JSON text (a whole document from `serde_json`, which escapes the C0 controls itself) with
/// every other hidden character (DEL, C1 controls such as U+009B, a terminal's CSI, line
/// separators, bidi overrides) written as a `\uXXXX` escape. Outside strings `serde_json` writes
/// only ASCII punctuation, spaces and line feeds, so this touches string contents alone.
pub fn json(text: String) -> String {
    if !text.chars().any(|c| c != '\n' && is_hidden(c)) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c != '\n' && is_hidden(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A zero-width space as an HTML character reference: it breaks a mention (`@org/team`) or
/// an autolink (`https://`, `www.`) and renders as nothing.
pub const BREAK: &str = "&#8203;";

/// ASCII punctuation that means something to `CommonMark`, GFM (tables, strikethrough, task
/// lists), GitHub math or HTML; each is written backslash-escaped.
pub const MARKDOWN_SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '#', '&', '!', '$', '{', '}',
];

/// Inline Markdown for input text outside a code span: punctuation backslash-escaped, hidden
/// characters as visible escapes, line breaks as `<br>` (the only HTML written), and mentions
/// (`@org/team`) and URL autolinks (`https://`, `www.`) broken by a zero-width space, so the
/// text renders as the text it is, links nowhere and notifies nobody. An e-mail address
/// (`name@example.com`) is left as it is: GitHub shows it as a mailto link at most.
pub fn markdown_text(s: &str, out: &mut String) {
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\n' => out.push_str("<br>"),
            // A mention starts after a non-word character; `name@example.com` is an address.
            '@' if i == 0 || !chars[i - 1].is_alphanumeric() => {
                out.push('@');
                out.push_str(BREAK);
            }
            ':' if chars.get(i + 1) == Some(&'/') => {
                out.push(':');
                out.push_str(BREAK);
            }
            '.' if i >= 3 && chars[i - 3..i].iter().all(|w| w.eq_ignore_ascii_case(&'w')) => {
                out.push_str(BREAK);
                out.push_str("\\.");
            }
            c if is_hidden(c) => {
                let mut visible = String::new();
                push_control(&mut visible, c);
                for v in visible.chars() {
                    if MARKDOWN_SPECIAL.contains(&v) {
                        out.push('\\');
                    }
                    out.push(v);
                }
            }
            c if MARKDOWN_SPECIAL.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// [`markdown_text`] into a new string.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    markdown_text(s, &mut out);
    out
}

/// Text inside a Markdown code span (already literal there): only what would end the span or
/// the table cell, or hide itself, is changed.
pub fn code_span_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if is_hidden(c) => push_control(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(control("a\n::notice::x"), "a\\n::notice::x");
        assert_eq!(control("\u{1b}[31m\t\u{202e}"), "\\u{1b}[31m\\t\\u{202e}");
        assert!(matches!(control("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn no_line_starts_a_workflow_command() {
        assert_eq!(
            log_lines("ok\n  ::notice::x\n::error::y".into()),
            "ok\n  \\u{3a}:notice::x\n\\u{3a}:error::y"
        );
    }

    #[test]
    fn markdown_breaks_links_mentions_and_html() {
        assert_eq!(
            markdown("[x](https://e.com) @org/team <b>"),
            "\\[x\\](https:&#8203;//e.com) @&#8203;org/team \\<b\\>"
        );
        assert_eq!(markdown("see www.e.com"), "see www&#8203;\\.e.com");
    }
}
