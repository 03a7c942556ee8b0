//! Instants and zones at the boundary: epoch milliseconds (fractions = microseconds) ↔
//! [`Timestamp`], and time zone names.

use wasm_bindgen::prelude::*;

use super::convert::{required_string, time_arg};
use super::error::{bounded_text, to_js};
use crate::{Timestamp, Zone};

/// Reads epoch milliseconds into an instant; NaN, infinities and times outside the years
/// 0001–9999 are `INVALID_ARGUMENT` errors naming `field`.
pub fn instant(field: &str, ms: f64) -> Result<Timestamp, JsValue> {
    Timestamp::from_millis_f64(field, ms).map_err(|e| to_js(&e))
}

/// Reads the JS parameter `param` (`nowMs`) as an instant ([`time_arg`]: epoch milliseconds or
/// a `Date`): a value of another type is an `INVALID_ARGUMENT` naming `param`; a time out of
/// range (NaN, beyond year 9999) one naming `field` (`now`), as [`instant`] does.
pub fn instant_arg(param: &str, field: &str, value: &JsValue) -> Result<Timestamp, JsValue> {
    instant(field, time_arg(param, value)?)
}

/// Like [`instant_arg`], with `undefined` and `null` read as "not given".
pub fn optional_instant_arg(param: &str, field: &str, value: &JsValue) -> Result<Option<Timestamp>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    instant_arg(param, field, value).map(Some)
}

/// Parses a zone name (`UTC`, `+05:30`, an IANA name), or throws `UNKNOWN_TIMEZONE`.
pub fn zone(name: &str) -> Result<Zone, JsValue> {
    Zone::parse(name).map_err(|e| to_js(&e))
}

/// Whether tickwerk knows the time zone `name` (`UTC`, a fixed offset or an IANA name).
/// The JS layer uses it to check the host's zone before making it the default.
#[wasm_bindgen(js_name = isKnownTimezone)]
pub fn is_known_timezone(#[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue) -> bool {
    bounded_text(name).is_some_and(|n| Zone::parse(&n).is_ok())
}

/// Formats the instant `ms` in the zone `zone` as APScheduler prints times
/// (`2026-05-01 09:30:00 CEST`).
#[wasm_bindgen(js_name = formatInstant)]
pub fn format_instant(
    #[wasm_bindgen(unchecked_param_type = "number")] ms: &JsValue,
    #[wasm_bindgen(js_name = zoneName, unchecked_param_type = "string")] zone_name: &JsValue,
) -> Result<String, JsValue> {
    let t = instant_arg("ms", "time", ms)?;
    Ok(crate::time::format_in_zone(t, zone(&required_string("timezone", zone_name)?)?))
}

/// Reads APScheduler's date text (`2026-05-01 09:30:00`, `2026-05-01T09:30:00.5+02:00`)
/// as epoch milliseconds. Text without an offset is read in the zone `zone_name` (a time
/// inside a DST gap moves forward, an ambiguous one takes its first occurrence). `field`
/// names the input in errors.
#[wasm_bindgen(js_name = parseDate)]
pub fn parse_date(
    #[wasm_bindgen(unchecked_param_type = "string")] field: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] text: &JsValue,
    #[wasm_bindgen(js_name = zoneName, unchecked_param_type = "string")] zone_name: &JsValue,
) -> Result<f64, JsValue> {
    let field = required_string("field", field)?;
    let text = required_string(&field, text)?;
    let zone = zone(&required_string("timezone", zone_name)?)?;
    crate::DateInput::Text(text)
        .resolve(&field, zone)
        .map(|t| t.as_millis_f64())
        .map_err(|e| to_js(&e))
}
