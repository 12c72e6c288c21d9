//! The one escaping step for text that comes from the inputs (file names, ids, values,
//! captured event names), per format: [`control`] for every plain-text format (human, the
//! GitHub log, error messages), [`markdown_text`] for Markdown (reports, step summaries, the
//! governance document). JSON, SARIF and JUnit escape by their own structure (serde_json,
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

/// A zero-width space as an HTML character reference: it breaks a mention (`@org/team`) or
/// an autolink (`https://`, `www.`) and renders as nothing.
pub const BREAK: &str = "&#8203;";

/// ASCII punctuation that means something to CommonMark, GFM (tables, strikethrough, task
/// lists), GitHub math or HTML; each is written backslash-escaped.
pub const MARKDOWN_SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '#', '&', '!', '$', '{', '}',
];

/// Inline Markdown for input text outside a code span: punctuation backslash-escaped, hidden
/// characters as visible escapes, line breaks as `<br>` (the only HTML written), and mentions
/// and autolinks broken by a zero-width space, so the text renders as the text it is and
/// notifies nobody.
pub fn markdown_text(s: &str, out: &mut String) {
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\n' => out.push_str("<br>"),
            '@' => {
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
    fn markdown_breaks_links_mentions_and_html() {
        assert_eq!(
            markdown("[x](https://e.com) @org/team <b>"),
            "\\[x\\](https:&#8203;//e.com) @&#8203;org/team \\<b\\>"
        );
        assert_eq!(markdown("see www.e.com"), "see www&#8203;\\.e.com");
    }
}
