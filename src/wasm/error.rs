//! Core errors as JS errors.
//!
//! A core [`Error`] becomes a JS object thrown to the caller, carrying
//!
//! * `code`: the stable [`Error::code`] (`INVALID_ARGUMENT`, `UNKNOWN_TIMEZONE`, …),
//! * `message`: the core's message, naming the field and the offending value,
//! * `field` / `value`: the field and value as separate properties, when the error has them.
//!
//! By default the object is a plain JS `Error` named `TickwerkError`. Once the JS layer has
//! called [`register_error_class`] with its `TickwerkError` class, errors are built as
//! `new TickwerkError(code, message, { field, value })` instead, so `instanceof` works for
//! users of the low-level exports too.

use std::cell::RefCell;

use js_sys::{Array, Function, JsString, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::MAX_STRING_LEN;
use crate::message_text::{number_text, shortened, shortened_to};
use crate::Error;

thread_local! {
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Makes every error thrown by the bindings an instance of `class`, constructed as
/// `new class(code, message, { field, value })`.
#[wasm_bindgen(js_name = registerErrorClass)]
pub fn register_error_class(class: Function) {
    ERROR_CLASS.with(|slot| *slot.borrow_mut() = Some(class));
}

/// The JS value to throw for a core error. Its `field` and `value` are [`shortened`] as in
/// the message (at most [`SHOWN_CHARS`](crate::message_text::SHOWN_CHARS) characters and `…`).
pub fn to_js(err: &Error) -> JsValue {
    let (field, value) = field_and_value(err);
    let field = field.as_deref().map(shortened);
    let value = value.as_deref().map(shortened);
    js_error(err.code(), &err.to_string(), field.as_deref(), value.as_deref())
}

/// A JS error with `code`, `message` and optional `field` / `value`, for failures detected
/// in the bindings themselves (a JS value of the wrong type).
pub fn js_error(code: &str, message: &str, field: Option<&str>, value: Option<&str>) -> JsValue {
    let details = Object::new();
    set(&details, "field", field.map(JsValue::from).unwrap_or(JsValue::UNDEFINED));
    set(&details, "value", value.map(JsValue::from).unwrap_or(JsValue::UNDEFINED));
    let class = ERROR_CLASS.with(|slot| slot.borrow().clone());
    if let Some(class) = class {
        let args = Array::of3(&JsValue::from(code), &JsValue::from(message), &details);
        if let Ok(err) = Reflect::construct(&class, &args) {
            return err;
        }
    }
    let err = js_sys::Error::new(message);
    err.set_name("TickwerkError");
    set(&err, "code", JsValue::from(code));
    set(&err, "field", Reflect::get(&details, &"field".into()).unwrap_or(JsValue::UNDEFINED));
    set(&err, "value", Reflect::get(&details, &"value".into()).unwrap_or(JsValue::UNDEFINED));
    err.into()
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

/// The field and value an error names, when it names them.
fn field_and_value(err: &Error) -> (Option<String>, Option<String>) {
    #[allow(unreachable_patterns)]
    match err {
        Error::InvalidArgument { field, value, .. } => (Some(field.clone()), Some(value.clone())),
        Error::UnknownTimezone { name } => (Some("timezone".into()), Some(name.clone())),
        Error::ConflictingId { id } | Error::UnreadableRecordId { id } | Error::JobNotFound { id } => (Some("id".into()), Some(id.clone())),
        Error::UnknownAlias { kind, alias } => (Some((*kind).into()), Some(alias.clone())),
        Error::Unserializable { field, .. } => (Some(field.clone()), None),
        Error::CorruptRecord { id, .. } => (Some("id".into()), Some(id.clone())),
        _ => (None, None),
    }
}

fn set(target: &JsValue, key: &str, value: JsValue) {
    // Setting a property on a fresh, ordinary object cannot fail; ignore the impossible.
    let _ = Reflect::set(target, &JsValue::from(key), &value);
}
