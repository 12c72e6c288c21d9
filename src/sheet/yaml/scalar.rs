//! What a YAML scalar means: the YAML 1.2 core schema, with booleans spelled only
//! `true`/`false` (so `yes`, `no`, `on` and `off` stay strings) and explicit core tags obeyed.

use super::Value;
use crate::finding::shorten;

/// The explicit tag on a scalar, as far as govsheet cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    /// No tag, or one govsheet does not know (`!custom`): resolve by the text.
    None,
    /// `!` or `!!str` (and `!!binary`, kept as written): always a string.
    Str,
    Null,
    Bool,
    Int,
    Float,
}

impl Tag {
    /// Map a core-schema suffix (`str`, `int`, ...) or the non-specific `!` to a tag.
    pub(super) fn from_core(suffix: Option<&str>, non_specific: bool) -> Self {
        match suffix {
            Some("str" | "binary") => Tag::Str,
            Some("null") => Tag::Null,
            Some("bool") => Tag::Bool,
            Some("int") => Tag::Int,
            Some("float") => Tag::Float,
            _ if non_specific => Tag::Str,
            _ => Tag::None,
        }
    }
}

/// Resolve one scalar. `plain` is false for quoted and block scalars, which are strings unless
/// a tag says otherwise. Errors name what the tag asked for.
pub(super) fn resolve(text: &str, plain: bool, tag: Tag) -> Result<Value, String> {
    let want = |what: &str, v: Option<Value>| {
        v.ok_or_else(|| format!("`{}` is not {what}", shorten(text, 40)))
    };
    match tag {
        Tag::Str => Ok(Value::Str(text.into())),
        Tag::Null => want("null", null(text).then_some(Value::Null)),
        Tag::Bool => want(
            "a boolean (`true` or `false`)",
            boolean(text).map(Value::Bool),
        ),
        Tag::Int => want("an integer", integer(text)),
        Tag::Float => want(
            "a number",
            integer(text)
                .map(|v| match v {
                    Value::Int(i) => Value::Float(i as f64),
                    other => other,
                })
                .or_else(|| float(text).map(Value::Float)),
        ),
        Tag::None if !plain => Ok(Value::Str(text.into())),
        Tag::None => Ok(implicit(text)),
    }
}

/// An untagged plain scalar: null, boolean, integer, float or, failing those, a string.
fn implicit(text: &str) -> Value {
    // Most scalars in a sheet are words: skip the number parsers for them.
    let first = text.as_bytes().first().copied().unwrap_or(b'~');
    if null(text) {
        return Value::Null;
    }
    if matches!(first, b't' | b'T' | b'f' | b'F')
        && let Some(b) = boolean(text)
    {
        return Value::Bool(b);
    }
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        if let Some(v) = integer(text) {
            return v;
        }
        if let Some(f) = float(text) {
            return Value::Float(f);
        }
    }
    Value::Str(text.into())
}

fn null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn boolean(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`. Integers beyond i64 become floats.
fn integer(text: &str) -> Option<Value> {
    let radix = |digits: &str, radix: u32| {
        let ok = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
        ok.then(|| {
            i64::from_str_radix(digits, radix).map_or_else(
                |_| {
                    Value::Float(
                        u128::from_str_radix(digits, radix).map_or(f64::INFINITY, |v| v as f64),
                    )
                },
                Value::Int,
            )
        })
    };
    if let Some(hex) = text.strip_prefix("0x") {
        return radix(hex, 16);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return radix(oct, 8);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse::<i64>().map_or_else(
        |_| Value::Float(text.parse().unwrap_or(f64::NAN)),
        Value::Int,
    ))
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?.inf` and `.nan` (in the three
/// spellings the core schema allows).
fn float(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let negative = text.starts_with('-');
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Some(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match fraction {
        None => !whole.is_empty() && digits(whole),
        Some(f) if whole.is_empty() => !f.is_empty() && digits(f),
        Some(f) => digits(whole) && digits(f),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Value {
        resolve(text, true, Tag::None).unwrap()
    }

    #[test]
    fn the_core_schema_with_strict_booleans() {
        for s in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(plain(s), Value::Null, "{s:?}");
        }
        assert_eq!(plain("true"), Value::Bool(true));
        assert_eq!(plain("FALSE"), Value::Bool(false));
        for s in [
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "tRue",
            "2026-11-25",
            "1_000",
            "0b101",
        ] {
            assert_eq!(plain(s), Value::Str(s.into()), "{s:?} stays a string");
        }
        assert_eq!(plain("42"), Value::Int(42));
        assert_eq!(plain("-7"), Value::Int(-7));
        assert_eq!(plain("+7"), Value::Int(7));
        assert_eq!(plain("012"), Value::Int(12));
        assert_eq!(plain("0o17"), Value::Int(15));
        assert_eq!(plain("0x1F"), Value::Int(31));
        assert_eq!(plain("1.5"), Value::Float(1.5));
        assert_eq!(plain(".5"), Value::Float(0.5));
        assert_eq!(plain("1."), Value::Float(1.0));
        assert_eq!(plain("1e3"), Value::Float(1000.0));
        assert_eq!(plain("-.inf"), Value::Float(f64::NEG_INFINITY));
        assert!(matches!(plain(".nan"), Value::Float(f) if f.is_nan()));
        assert_eq!(plain("99999999999999999999"), Value::Float(1e20));
        for s in [
            "1.2.3", "e3", ".", "-", "+", "0x", "0xZZ", "1e", "inf", "nan", "1,000",
        ] {
            assert_eq!(plain(s), Value::Str(s.into()), "{s:?} stays a string");
        }
    }

    #[test]
    fn quoted_scalars_are_strings_and_tags_win() {
        assert_eq!(resolve("42", false, Tag::None), Ok(Value::Str("42".into())));
        assert_eq!(
            resolve("null", false, Tag::None),
            Ok(Value::Str("null".into()))
        );
        assert_eq!(resolve("42", true, Tag::Str), Ok(Value::Str("42".into())));
        assert_eq!(resolve("42", false, Tag::Int), Ok(Value::Int(42)));
        assert_eq!(resolve("42", true, Tag::Float), Ok(Value::Float(42.0)));
        assert_eq!(resolve("", true, Tag::Null), Ok(Value::Null));
        assert!(
            resolve("yes", true, Tag::Bool)
                .unwrap_err()
                .contains("boolean")
        );
        assert!(
            resolve("abc", true, Tag::Int)
                .unwrap_err()
                .contains("integer")
        );
    }
}
