//! `WasmTrigger`: one built trigger and its fire-time queries.
//!
//! Built from the trigger's JSON spec (see [`TriggerSpec`]), a default zone and the current
//! time, exactly as the core builds it; every query takes `now` from the caller.
//!
//! # Handing a built trigger to `SchedulerCore`
//!
//! `SchedulerCore.addJob`, `rescheduleJob` and `modifyJob` take a `WasmTrigger` itself (issue
//! 11: a built trigger is not serialised to JSON and parsed again). The caller keeps its
//! object: the binding borrows nothing and consumes nothing. It reads the object's
//! handover property ([`built_trigger`]); the getter behind it exists only on this module's
//! `WasmTrigger` class and puts a copy of the trigger where the binding takes it. So a plain
//! object, a Proxy, a freed `WasmTrigger` (its getter throws) or one of another instance of
//! the module (its getter fills the other instance's slot) is refused with an
//! `INVALID_ARGUMENT`, and no pointer read from JS is ever followed.

use std::cell::Cell;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use super::convert::{from_js, required_string, u32_arg};
use super::error::{invalid, to_js, unreadable};
use super::time::{instant_arg, optional_instant_arg, zone};
use crate::trigger::{BuildContext, JitterRng};
use crate::{Timestamp, Trigger, TriggerSpec};

#[wasm_bindgen(typescript_custom_section)]
const TS_TRIGGER_SPEC: &'static str = r#"
/** A trigger's JSON form: `{ type: 'cron' | 'crontab' | 'interval' | 'date' | 'and' | 'or', … }`
 *  with APScheduler's keyword arguments (snake_case or camelCase); dates as text or epoch ms. */
export type TriggerSpecJson = { type: string; [key: string]: unknown };
"#;

/// Why a seed half is refused.
const SEED_RANGE: &str = "must be an integer from 0 to 4294967295";

/// The property whose getter hands a `WasmTrigger`'s trigger to the binding reading it.
const HANDOVER: &str = "__tickwerkHandover";

thread_local! {
    /// Where the handover getter puts the trigger for [`built_trigger`] (taken at once).
    static HANDED_OVER: Cell<Option<Trigger>> = const { Cell::new(None) };
}

/// Puts `trigger` in the handover slot and returns what was there (one function for both
/// directions: each use of the slot would be its own copy of the thread-local code).
fn swap_handed_over(trigger: Option<Trigger>) -> Option<Trigger> {
    HANDED_OVER.with(|slot| slot.replace(trigger))
}

/// What a value given as a built trigger has to be.
const NOT_A_WASM_TRIGGER: &str = "expected a live WasmTrigger of this tickwerk module";

/// The trigger of `value` when it is a live `WasmTrigger` of this module, as a copy (`value`
/// stays usable); `Ok(None)` for any other value (a primitive, a function, an object whose
/// handover property gave nothing); an `INVALID_ARGUMENT` naming `field` when reading it threw (a freed
/// `WasmTrigger`, a revoked Proxy, a throwing getter or trap). Never follows a pointer
/// taken from JS; see the module docs.
pub(crate) fn handed_over(field: &str, value: &JsValue) -> Result<Option<Trigger>, JsValue> {
    if !value.is_object() {
        // A primitive or a function (`typeof` not 'object') is no trigger: nothing is read.
        return Ok(None);
    }
    // A stale copy (a caller read the getter by hand) must not answer for `value`.
    swap_handed_over(None);
    let read = Reflect::get(value, &JsValue::from_str(HANDOVER));
    let trigger = swap_handed_over(None);
    read.map(|_| trigger).map_err(|e| unreadable(field, value, &e))
}

/// [`handed_over`], with any value that is no `WasmTrigger` of this module refused too.
pub(crate) fn built_trigger(field: &str, value: &JsValue) -> Result<Trigger, JsValue> {
    handed_over(field, value)?.ok_or_else(|| invalid(field, value, NOT_A_WASM_TRIGGER))
}

/// A built trigger (any kind) with its jitter generator.
#[wasm_bindgen]
pub struct WasmTrigger {
    trigger: Trigger,
    rng: JitterRng,
    run_at: Option<Timestamp>,
}

#[wasm_bindgen]
impl WasmTrigger {
    /// Builds the trigger described by `spec` (a JS object in the trigger JSON form).
    /// `defaultZone` is used where the spec names no zone; `nowMs` is the current time
    /// (interval start without a start date, date trigger without a run date); `seedHigh`
    /// and `seedLow`, the two 32-bit halves of a seed (integers 0 to 2^32 - 1), seed the
    /// jitter generator. A parameter of the wrong type is an `INVALID_ARGUMENT` naming it.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "TriggerSpecJson")] spec: &JsValue,
        #[wasm_bindgen(js_name = defaultZone, unchecked_param_type = "string")] default_zone: &JsValue,
        #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: &JsValue,
        #[wasm_bindgen(js_name = seedHigh, unchecked_param_type = "number")] seed_high: &JsValue,
        #[wasm_bindgen(js_name = seedLow, unchecked_param_type = "number")] seed_low: &JsValue,
    ) -> Result<WasmTrigger, JsValue> {
        if !default_zone.is_string() {
            return Err(invalid("timezone", default_zone, "expected a time zone name"));
        }
        let zone_name = required_string("timezone", default_zone)?;
        let ctx = BuildContext { default_zone: zone(&zone_name)?, now: instant_arg("nowMs", "now", now_ms)? };
        let seed_high = u32_arg("seedHigh", seed_high, 0, SEED_RANGE)?;
        let seed_low = u32_arg("seedLow", seed_low, 0, SEED_RANGE)?;
        let json = from_js("trigger", spec)?;
        let trigger = TriggerSpec::from_json(&json).and_then(|s| s.build(&ctx)).map_err(|e| to_js(&e))?;
        let seed = (u64::from(seed_high) << 32) | u64::from(seed_low);
        Ok(WasmTrigger { trigger, rng: JitterRng::new(seed), run_at: None })
    }

    /// The next fire time after `previousMs` (or the first at or after `nowMs` when
    /// `previousMs` is `undefined`), without jitter; `undefined` when exhausted.
    #[wasm_bindgen(js_name = nextFireTime)]
    pub fn next_fire_time(
        &self,
        #[wasm_bindgen(js_name = previousMs, unchecked_param_type = "number | null | undefined")] previous_ms: &JsValue,
        #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: &JsValue,
    ) -> Result<Option<f64>, JsValue> {
        let previous = optional_instant_arg("previousMs", "previous", previous_ms)?;
        let now = instant_arg("nowMs", "now", now_ms)?;
        Ok(self.trigger.next_fire_time(previous, now).map(Timestamp::as_millis_f64))
    }

    /// Like [`nextFireTime`](Self::next_fire_time), and also draws the jittered run time,
    /// readable afterwards as [`runAt`](Self::run_at). Returns the un-jittered time (the
    /// one to pass back as `previousMs`).
    #[wasm_bindgen(js_name = nextFire)]
    pub fn next_fire(
        &mut self,
        #[wasm_bindgen(js_name = previousMs, unchecked_param_type = "number | null | undefined")] previous_ms: &JsValue,
        #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: &JsValue,
    ) -> Result<Option<f64>, JsValue> {
        let previous = optional_instant_arg("previousMs", "previous", previous_ms)?;
        let now = instant_arg("nowMs", "now", now_ms)?;
        let fire = self.trigger.next_fire(previous, now, &mut self.rng);
        self.run_at = fire.map(|f| f.due_at);
        Ok(fire.map(|f| f.time.as_millis_f64()))
    }

    /// The jittered run time drawn by the last [`nextFire`](Self::next_fire) call
    /// (`undefined` if it found none).
    #[wasm_bindgen(getter, js_name = runAt)]
    pub fn run_at(&self) -> Option<f64> {
        self.run_at.map(Timestamp::as_millis_f64)
    }

    /// The zone the trigger reads wall-clock times in (`undefined` for `and` / `or`).
    #[wasm_bindgen(getter)]
    pub fn timezone(&self) -> Option<String> {
        self.trigger.timezone().map(|z| z.name())
    }

    /// The trigger's JSON spec: enough to rebuild it exactly.
    #[wasm_bindgen(js_name = toSpec, unchecked_return_type = "TriggerSpecJson")]
    pub fn to_spec(&self) -> Result<JsValue, JsValue> {
        super::convert::to_js_value(&self.trigger.to_spec().to_json())
    }

    /// Internal (not in the typings): hands a copy of the trigger to the `SchedulerCore` call
    /// reading this property (see the module docs). Read by hand, it leaves a copy that the
    /// next such call discards.
    #[wasm_bindgen(getter, js_name = __tickwerkHandover, skip_typescript)]
    pub fn hand_over(&self) {
        swap_handed_over(Some(self.trigger.clone()));
    }

    /// APScheduler's `str(trigger)`: `cron[hour='9', minute='0']`, `interval[0:02:00]`, …
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        self.trigger.to_string()
    }
}
