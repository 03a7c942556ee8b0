//! `WasmTrigger`: one built trigger and its fire-time queries.
//!
//! Built from the trigger's JSON spec (see [`TriggerSpec`]), a default zone and the current
//! time, exactly as the core builds it; every query takes `now` from the caller.

use wasm_bindgen::prelude::*;

use super::convert::{from_js, required_string, u32_arg};
use super::error::{invalid, to_js};
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

    /// APScheduler's `str(trigger)`: `cron[hour='9', minute='0']`, `interval[0:02:00]`, …
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        self.trigger.to_string()
    }
}
