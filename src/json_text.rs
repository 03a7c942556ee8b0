//! Compact JSON text for the core's JSON values.
//!
//! The wasm binding hands every run, event, job and record to JS as JSON text (one
//! `JSON.parse` instead of one boundary crossing per property). This writer does that
//! with a few lines instead of serde's generic serializer, which is a sizeable part of the
//! shipped wasm module. Output is what `serde_json::to_string` writes for the same value:
//! no spaces, object keys in map order, strings with `"`, `\` and control characters
//! escaped, numbers as [`serde_json::Number`] prints them.

use std::fmt::Write;

use serde_json::Value;

/// The compact JSON text of `value`.
pub fn to_json_text(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// Appends the compact JSON text of `value` to `out`.
pub fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// Appends `s` as a JSON string literal: double-quoted, with `"` and `\` escaped and
/// control characters as `\n`, `\t`, … or `\u00XX`.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn same_as_serde_json(value: Value) {
        assert_eq!(to_json_text(&value), serde_json::to_string(&value).unwrap(), "{value:?}");
    }

    #[test]
    fn writes_what_serde_json_writes() {
        same_as_serde_json(json!(null));
        same_as_serde_json(json!([true, false, 0, -1, 9_007_199_254_740_991_i64, u64::MAX, 1.5, -0.25, 1e300, 5e-324]));
        same_as_serde_json(json!({"b": [], "a": {}, "nested": {"x": [1, {"y": "z"}]}}));
        same_as_serde_json(json!("plain ünïcödé ☃ 𝄞"));
        same_as_serde_json(json!("quote \" backslash \\ slash / nl \n cr \r tab \t bs \u{08} ff \u{0c} nul \u{0} esc \u{1b} del \u{7f}"));
    }

    #[test]
    fn control_characters_round_trip() {
        let all: String = (0u32..0x80).filter_map(char::from_u32).collect();
        let text = to_json_text(&Value::String(all.clone()));
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), Value::String(all));
    }
}
