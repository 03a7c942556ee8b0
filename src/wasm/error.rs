//! Core errors as JS errors.
//!
//! A core [`Error`] becomes a JS object thrown to the caller, carrying
//!
//! * `code`: the stable [`Error::code`] (`INVALID_ARGUMENT`, `UNKNOWN_TIMEZONE`, …),
//! * `message`: the message naming the field and the offending value, formatted by
//!   `errorMessage` of `js/error-text.js` (imported as this module's JS snippet) from the
//!   error's parts: the one place the package's message texts live. The core's `Display`
//!   writes the same texts for native Rust users; the bindings do not call it (the core
//!   itself still does, for the reason of a `CorruptRecord` that wraps another error, so the
//!   wasm still links it).
//! * `field` / `value`: the field and value as separate properties, when the error has them.
//!
//! By default the object is a plain JS `Error` named `TickwerkError`. Once the JS layer has
//! called [`register_error_class`] with its `TickwerkError` class, errors are built as
//! `new TickwerkError(code, message, { field, value, parts })` instead (`parts`: what the
//! message was formatted from, so the JS layer can re-spell the field), and `instanceof`
//! works for users of the low-level exports too.

use std::cell::RefCell;

use js_sys::{Function, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::MAX_STRING_LEN;
use crate::message_text::{number_text, shortened_to};
use crate::Error;

thread_local! {
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

#[wasm_bindgen(module = "/js/error-text.js")]
extern "C" {
    /// The message of an error of `form` about `field`, `value` and `reason`.
    #[wasm_bindgen(js_name = errorMessage)]
    fn error_message(form: &str, field: Option<&str>, value: Option<&str>, reason: Option<&str>) -> String;
    /// The error to throw: `new class(code, message, { field, value, parts })`, or a plain
    /// `Error` named `TickwerkError` with those properties when `class` is undefined.
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(class: Option<Function>, code: &str, form: &str, field: Option<&str>, value: Option<&str>, reason: Option<&str>) -> JsValue;
}

/// The parts of a core error's message: its form (the code, or `UNREADABLE_RECORD_ID`),
/// field, value text (whole: the formatter shortens it) and reason.
struct Parts<'a> {
    form: &'static str,
    field: Option<&'a str>,
    value: Option<&'a str>,
    reason: Option<&'a str>,
}

/// Makes every error thrown by the bindings an instance of `class`, constructed as
/// `new class(code, message, { field, value, parts })`.
#[wasm_bindgen(js_name = registerErrorClass)]
pub fn register_error_class(class: Function) {
    ERROR_CLASS.with(|slot| *slot.borrow_mut() = Some(class));
}

/// The JS value to throw for a core error. Its `field` and `value` are shortened as in the
/// message (at most [`SHOWN_CHARS`](crate::message_text::SHOWN_CHARS) characters and `…`).
pub fn to_js(err: &Error) -> JsValue {
    let p = parts(err);
    let class = ERROR_CLASS.with(|slot| slot.borrow().clone());
    make_error(class, err.code(), p.form, p.field, p.value, p.reason)
}

/// An `INVALID_ARGUMENT` error for a JS value of the wrong type.
pub fn invalid(field: &str, value: &JsValue, reason: &str) -> JsValue {
    to_js(&Error::invalid(field, describe(value), reason))
}

/// An `INVALID_ARGUMENT` error for a value at `field` that cannot be read: reading it threw
/// `exception` (a revoked Proxy, a throwing getter or trap). `value` is what is shown.
pub fn unreadable(field: &str, value: &JsValue, exception: &JsValue) -> JsValue {
    invalid(field, value, &format!("cannot be read ({})", exception_text(exception)))
}

/// The most characters of a JS exception's text quoted in a message.
const EXCEPTION_CHARS: usize = 200;

#[wasm_bindgen]
extern "C" {
    /// `String(value)`, with what it throws returned (a thrown Proxy, a throwing `toString`).
    #[wasm_bindgen(catch, js_name = String)]
    fn js_string(value: &JsValue) -> Result<JsValue, JsValue>;
}

/// The text of a thrown JS value as `String()` gives it (`TypeError: boom` for an error),
/// [`shortened_to`] 200 characters; `an exception without text` when even `String()` throws.
pub fn exception_text(exception: &JsValue) -> String {
    js_string(exception)
        .ok()
        .and_then(|text| bounded_text(&text))
        .map_or_else(|| "an exception without text".into(), |text| shortened_to(&text, EXCEPTION_CHARS).into_owned())
}

/// The text of a JS string of at most [`MAX_STRING_LEN`] UTF-16 units (checked before it is
/// copied into wasm memory); `None` for a longer string or a non-string.
pub fn bounded_text(value: &JsValue) -> Option<String> {
    value.dyn_ref::<JsString>().filter(|s| s.length() <= MAX_STRING_LEN).and_then(|s| s.as_string())
}

/// A short text form of any JS value for error messages (`undefined`, `"abc"`, `12`, …); a
/// string longer than [`MAX_STRING_LEN`] is not copied and shows as `string`, as objects show
/// as `object`.
pub fn describe(value: &JsValue) -> String {
    if let Some(s) = bounded_text(value) {
        return s;
    }
    if let Some(n) = value.as_f64() {
        return number_text(n);
    }
    if value.is_undefined() {
        return "undefined".into();
    }
    if value.is_null() {
        return "null".into();
    }
    value.js_typeof().as_string().unwrap_or_else(|| "value".into())
}

/// The message of a core error, as the thrown JS error's `message` (for texts the bindings
/// hand over in other shapes, such as `loadJobs`' problems).
pub fn message(err: &Error) -> String {
    let p = parts(err);
    error_message(p.form, p.field, p.value, p.reason)
}

/// The parts of an error's message: the field and value it names, when it names them, and
/// the reason it gives.
fn parts(err: &Error) -> Parts<'_> {
    let (form, field, value, reason) = match err {
        Error::InvalidArgument { field, value, reason } => ("INVALID_ARGUMENT", Some(field.as_str()), Some(value.as_str()), Some(reason.as_str())),
        Error::UnknownTimezone { name } => ("UNKNOWN_TIMEZONE", Some("timezone"), Some(name.as_str()), None),
        Error::ConflictingId { id } => ("CONFLICTING_ID", Some("id"), Some(id.as_str()), None),
        Error::UnreadableRecordId { id } => ("UNREADABLE_RECORD_ID", Some("id"), Some(id.as_str()), None),
        Error::JobNotFound { id } => ("JOB_NOT_FOUND", Some("id"), Some(id.as_str()), None),
        Error::UnknownAlias { kind, alias } => ("UNKNOWN_ALIAS", Some(*kind), Some(alias.as_str()), None),
        Error::Unserializable { field, reason } => ("UNSERIALIZABLE", Some(field.as_str()), None, Some(reason.as_str())),
        Error::CorruptRecord { id, reason } => ("CORRUPT_RECORD", Some("id"), Some(id.as_str()), Some(reason.as_str())),
        Error::SchedulerAlreadyRunning | Error::SchedulerNotRunning => (err.code(), None, None, None),
    };
    Parts { form, field, value, reason }
}
