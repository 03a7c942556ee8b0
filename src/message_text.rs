//! Text of numbers and strings inside error messages and `repr()` texts.
//!
//! Messages never format an `f64` with `{}` nor a string with `{:?}`: those pull Rust's
//! float printing (`core::num::flt2dec`: Grisu, Dragon4, big-number tables) and its Debug
//! escaping (`char::escape_debug`, the Unicode printable tables) into the shipped wasm
//! module, about 30 KB of code for a few error messages. [`number_text`] prints a finite
//! float through [`serde_json::Number`]'s shortest round-trip writer (linked anyway for
//! JSON) and [`quoted`] uses the JSON string escaping of [`crate::json_text`].
//! [`ValueText`] is what [`crate::Error::invalid`] accepts as the offending value, so a
//! float or a JSON value given there is shown by these writers too.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde_json::{Number, Value};

use crate::json_text::{to_json_text, write_string};

/// Below this magnitude an integral `f64` is printed as an integer (`5`, `-3`,
/// `1000000000000000`); from here on [`serde_json::Number`] writes an exponent (`1e+16`).
/// Every integral `f64` below it converts to `i64` exactly.
const INTEGER_LIMIT: f64 = 1e16;

/// `items` joined by `sep`, as `[..].join(sep)` writes them: one small loop instead of std's
/// `join` (its length-precomputing copy is ~1.2 KB of wasm for each item type).
pub fn joined<S: AsRef<str>>(items: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item.as_ref());
    }
    out
}

/// A number as text for messages: an integral value as an integer (`5`, `-3`; `-0` is `0`),
/// any other finite value in the shortest form that reads back to the same `f64` (`2.5`,
/// `0.1`, `1e-7`, `1e+300`), and the non-finite values as JavaScript spells them (`NaN`,
/// `Infinity`, `-Infinity`).
pub fn number_text(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else if x.fract() == 0.0 && x.abs() < INTEGER_LIMIT {
        (x as i64).to_string()
    } else {
        // `from_f64` refuses only non-finite values, handled above.
        serde_json::Number::from_f64(x).map_or_else(|| "NaN".to_string(), |n| n.to_string())
    }
}

/// Appends `n` in decimal as `format!("{n:0width$}")` writes it (`{n:+0width$}` with
/// `plus`): zero-padded to at least `width` characters, the sign counted. The dates, times
/// and numbers of messages and `str()` texts are written with this instead of `format!`:
/// one small function instead of formatter calls at every site.
pub fn push_int(out: &mut String, n: i64, width: usize, plus: bool) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let sign = if n < 0 { "-" } else if plus { "+" } else { "" };
    out.push_str(sign);
    for _ in digits.len() - start + sign.len()..width {
        out.push('0');
    }
    for &d in &digits[start..] {
        out.push(char::from(d));
    }
}

/// `n` in decimal (`push_int` without padding).
pub fn int_text(n: i64) -> String {
    let mut out = String::new();
    push_int(&mut out, n, 0, false);
    out
}

/// The most characters (Unicode scalar values) of a value or field name a message shows:
/// longer text is cut to this many and followed by `…` ([`shortened`], [`quoted`]), so a
/// message about a 1,000,000-character field stays short.
pub const SHOWN_CHARS: usize = 64;

/// `s` as messages and error properties show it: unchanged up to [`SHOWN_CHARS`]
/// characters, otherwise its first [`SHOWN_CHARS`] characters followed by `…`.
pub fn shortened(s: &str) -> Cow<'_, str> {
    shortened_to(s, SHOWN_CHARS)
}

/// `s` unchanged up to `max` characters, otherwise its first `max` characters and `…`.
pub fn shortened_to(s: &str, max: usize) -> Cow<'_, str> {
    // `get`, not `&s[..end]`: indexing links the slice-error panic and its Debug formatting.
    match s.char_indices().nth(max).and_then(|(end, _)| s.get(..end)) {
        None => Cow::Borrowed(s),
        Some(head) => Cow::Owned(head.to_string() + "…"),
    }
}

/// `s` double-quoted as a JSON string literal, for naming a value in a message: `"` and `\`
/// are escaped, control characters written as `\n`, `\t`, … or `\u00XX`. Text longer than
/// [`SHOWN_CHARS`] characters is [`shortened`] and its length follows the closing quote:
/// `"aaaa…" (1000000 characters)`.
pub fn quoted(s: &str) -> String {
    let shown = shortened(s);
    let mut out = String::with_capacity(shown.len() + 2);
    write_string(&mut out, &shown);
    if let Cow::Owned(_) = shown {
        out.push_str(" (");
        push_int(&mut out, s.chars().count() as i64, 0, false);
        out.push_str(" characters)");
    }
    out
}

/// A value as an error message shows it (the `value` of [`crate::Error::InvalidArgument`]).
///
/// Implemented for the kinds of values the core refuses: text as is, integers and dates as
/// `Display` writes them, `f64` by [`number_text`] and JSON values as compact JSON text
/// ([`to_json_text`], the same text as their `Display`, without serde_json's serializer).
pub trait ValueText {
    /// The text of the value.
    fn value_text(&self) -> String;
}

impl<T: ValueText + ?Sized> ValueText for &T {
    fn value_text(&self) -> String {
        (**self).value_text()
    }
}

impl ValueText for str {
    fn value_text(&self) -> String {
        self.to_string()
    }
}

impl ValueText for String {
    fn value_text(&self) -> String {
        self.clone()
    }
}

impl ValueText for f64 {
    fn value_text(&self) -> String {
        number_text(*self)
    }
}

impl ValueText for Value {
    fn value_text(&self) -> String {
        to_json_text(self)
    }
}

/// Integers, dates and JSON numbers: their `Display` (no float formatting involved;
/// [`Number`] writes floats with its own shortest round-trip writer).
macro_rules! display_value_text {
    ($($t:ty),*) => {$(
        impl ValueText for $t {
            fn value_text(&self) -> String {
                self.to_string()
            }
        }
    )*};
}

display_value_text!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, Number, NaiveDate);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn joined_writes_what_join_writes() {
        for items in [&[][..], &["a"][..], &["a", "b", ""][..], &["", "x y", "z"][..]] {
            assert_eq!(joined(items, ", "), items.join(", "));
            let owned: Vec<String> = items.iter().map(|s| s.to_string()).collect();
            assert_eq!(joined(&owned, ","), owned.join(","));
        }
    }

    #[test]
    fn integral_numbers_print_as_integers() {
        assert_eq!(number_text(5.0), "5");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(0.0), "0");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(1e15), "1000000000000000");
        assert_eq!(number_text(9_999_999_999_999_998.0), "9999999999999998");
        assert_eq!(number_text(-9_007_199_254_740_993.0), "-9007199254740992");
    }

    #[test]
    fn fractions_print_shortest_round_trip() {
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(number_text(-0.5), "-0.5");
        assert_eq!(number_text(0.1), "0.1");
        assert_eq!(number_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(number_text(123456.789), "123456.789");
        assert_eq!(number_text(-1.0e-7), "-1e-7");
        assert_eq!(number_text(5e-324), "5e-324");
        for x in [2.5, 0.1 + 0.2, 1.0 / 3.0, -1.0e-7, 5e-324, 123456.789, 1e16, -1.5e300, f64::MAX] {
            assert_eq!(number_text(x).parse::<f64>().ok(), Some(x), "{}", number_text(x));
        }
    }

    #[test]
    fn huge_numbers_print_with_an_exponent() {
        assert_eq!(number_text(1e16), "1e+16");
        assert_eq!(number_text(-1.5e300), "-1.5e+300");
        assert_eq!(number_text(f64::MAX), "1.7976931348623157e+308");
    }

    #[test]
    fn non_finite_numbers_print_as_javascript_does() {
        assert_eq!(number_text(f64::NAN), "NaN");
        assert_eq!(number_text(f64::INFINITY), "Infinity");
        assert_eq!(number_text(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn push_int_writes_what_format_writes() {
        for n in [0i64, 5, -5, 42, -42, 999, 1000, -1000, 9999, 10000, 123456, i64::MAX, i64::MIN] {
            for width in [0, 1, 2, 3, 4, 5, 6, 9] {
                let mut out = String::from("x");
                push_int(&mut out, n, width, false);
                assert_eq!(out, format!("x{n:0width$}"));
                let mut out = String::new();
                push_int(&mut out, n, width, true);
                assert_eq!(out, format!("{n:+0width$}"));
            }
            assert_eq!(int_text(n), n.to_string());
        }
    }

    #[test]
    fn quoted_escapes_quotes_backslashes_and_control_characters() {
        assert_eq!(quoted("plain"), r#""plain""#);
        assert_eq!(quoted(""), r#""""#);
        assert_eq!(quoted(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(quoted(r"C:\jobs"), r#""C:\\jobs""#);
        assert_eq!(quoted("a\nb\tc\r"), r#""a\nb\tc\r""#);
        assert_eq!(quoted("\u{1}\u{1f}"), r#""\u0001\u001f""#);
        assert_eq!(quoted("Zürich ✓"), "\"Zürich ✓\"");
    }

    #[test]
    fn long_values_are_shortened_with_their_length() {
        let exact = "ä".repeat(SHOWN_CHARS);
        assert_eq!(shortened(&exact), exact.as_str());
        assert_eq!(quoted(&exact), format!("\"{exact}\""));
        let long = "ä".repeat(1_000_000);
        assert_eq!(shortened(&long), format!("{exact}…"));
        assert_eq!(quoted(&long), format!("\"{exact}…\" (1000000 characters)"));
        assert_eq!(quoted(&format!("{exact}\n")), format!("\"{exact}…\" (65 characters)"));
    }

    #[test]
    fn value_text_shows_floats_and_json_values_by_these_writers() {
        assert_eq!(2.5f64.value_text(), "2.5");
        assert_eq!((-4.0f64).value_text(), "-4");
        assert_eq!(f64::NEG_INFINITY.value_text(), "-Infinity");
        let v = json!({"a": [1, 2.5, -0.25, "x\"y"], "b": null});
        assert_eq!(v.value_text(), r#"{"a":[1,2.5,-0.25,"x\"y"],"b":null}"#);
        assert_eq!(v.value_text(), v.to_string());
        assert_eq!(json!(1e300).value_text(), "1e+300");
        assert_eq!("text".value_text(), "text");
        assert_eq!(String::from("owned").value_text(), "owned");
        assert_eq!(42u32.value_text(), "42");
        assert_eq!((-7i64).value_text(), "-7");
        assert_eq!(NaiveDate::from_ymd_opt(2024, 2, 29).map(|d| d.value_text()).as_deref(), Some("2024-02-29"));
    }
}
