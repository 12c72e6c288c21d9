//! A new record as YAML text: every string double-quoted with every character YAML could misread
//! escaped, and the file name it is written under. Pure: `govsheet record` writes the file.

/// The fields of a record that `govsheet record` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    pub retest: String,
    pub date: String,
    pub result: String,
    pub by: String,
    pub evidence: String,
    pub notes: Option<String>,
    pub commit: Option<String>,
}

/// A YAML double-quoted scalar holding exactly `s`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // C0/C1 controls, DEL, the Unicode line separators, the BOM and non-characters:
            // not printable in YAML, or read as line breaks.
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The YAML text of one record file.
pub fn to_yaml(r: &NewRecord) -> String {
    let mut out = String::from("# written by govsheet record\n");
    let mut field = |k: &str, v: &str| {
        out.push_str(k);
        out.push_str(": ");
        out.push_str(&quote(v));
        out.push('\n');
    };
    field("retest", &r.retest);
    field("date", &r.date);
    field("result", &r.result);
    field("by", &r.by);
    field("evidence", &r.evidence);
    if let Some(n) = &r.notes {
        field("notes", n);
    }
    if let Some(c) = &r.commit {
        field("commit", c);
    }
    out
}

/// The file name of a record: `DATE-RETEST-SUFFIX.yaml`. The suffix (8 hex digits of a random
/// `seed`) keeps two branches that record the same retest on the same day from writing the
/// same path, so their merge never conflicts. The retest id is kebab-case in a valid sheet;
/// anything else is replaced so that the name never leaves the folder.
pub fn file_name(date: &str, retest: &str, seed: u64) -> String {
    let safe: String = retest
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    // Fold the 64 bits to 32 so no part of the seed is wasted.
    let short = (seed ^ (seed >> 32)) as u32;
    format!("{date}-{safe}-{short:08x}.yaml")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{build, model, yaml};
    use crate::source::SourceFile;
    use proptest::prelude::*;

    fn read_back(text: &str) -> model::Record {
        let src = SourceFile::new("r.yaml", text);
        let (mut recs, f) = build::build_records(&src, &yaml::parse(text).unwrap());
        assert!(f.is_empty());
        recs.remove(0)
    }

    #[test]
    fn written_records_read_back() {
        let r = NewRecord {
            retest: "purchase-dedupe".into(),
            date: "2026-11-25".into(),
            result: "not-needed".into(),
            by: "tracking".into(),
            evidence: "https://x/?a=1#b: \"yes\" # not a comment".into(),
            notes: Some("- looks like a list\n\ttab & *alias !tag {flow}".into()),
            commit: Some("0123abc".into()),
        };
        let back = read_back(&to_yaml(&r));
        assert_eq!(back.evidence.unwrap().value, r.evidence);
        assert_eq!(back.notes.unwrap().value, r.notes.unwrap());
        assert_eq!(back.date.unwrap().date.unwrap().to_string(), "2026-11-25");
        assert_eq!(back.result.unwrap().value, "not-needed");
    }

    #[test]
    fn file_names_stay_in_the_folder_and_carry_the_suffix() {
        assert_eq!(
            file_name("2026-11-25", "purchase-dedupe", 0xab),
            "2026-11-25-purchase-dedupe-000000ab.yaml"
        );
        assert_eq!(
            file_name("2026-11-25", "../x/y", 0x1_0000_0001),
            "2026-11-25----x-y-00000000.yaml"
        );
        assert_ne!(file_name("d", "a", 1), file_name("d", "a", 2));
    }

    proptest! {
        #[test]
        fn any_text_survives_quoting(s in "\\PC*|[\\x00-\\x1f\\x7f-\\x9f\u{2028}\u{feff}'\"\\\\: #-]*") {
            let text = format!("evidence: {}\nretest: x\n", quote(&s));
            let back = read_back(&text);
            prop_assert_eq!(back.evidence.unwrap().value, s);
        }
    }
}
