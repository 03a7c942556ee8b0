//! The WebAssembly bindings (compiled only for `wasm32`).
//!
//! A thin wasm-bindgen layer over the core with no logic of its own: every export converts
//! its JS arguments, calls the core and converts the answer back. The npm package's JS layer
//! (`js/`) wraps these exports in the public API (`CronTrigger`, `Scheduler`, …); the
//! exports themselves are the low-level API for hosts that own the clock.
//!
//! # Conventions at the boundary
//!
//! * **Time** crosses as epoch milliseconds in a JS number; the fraction carries the
//!   microseconds the core keeps (`1700000000000.5` is half a millisecond later). A missing
//!   time is `undefined`. The bindings never read a clock: `now` is always an argument.
//! * **Errors** are thrown as JS `Error` objects with a stable `code` (the core's
//!   [`Error::code`](crate::Error::code)), a message naming the field and the value, and
//!   `field` / `value` properties; see [`error`]. The JS layer registers its `TickwerkError`
//!   class so that every thrown error is an instance of it.
//! * **No panics from input.** Every JS value is checked and turned into a typed error
//!   before it reaches the core; nothing here unwraps user input. (Release builds use
//!   `panic = "abort"`, so a panic would be an `unreachable` trap: a bug, never a path.)
//! * **No JS exception crosses wasm.** Every parameter is taken as a `JsValue` and checked
//!   here: a number, boolean or time parameter of another type (a BigInt, a string, `null`
//!   where it is not optional) is an `INVALID_ARGUMENT` naming the parameter as JS spells it
//!   (`nowMs`, `paused`, `maxWorkers`), never coerced; time parameters also take a `Date`.
//!   Objects are read ([`convert::from_js`]) only through imports marked `catch`, so a
//!   revoked Proxy or a throwing getter or trap is an `INVALID_ARGUMENT` naming the path of
//!   the value (`job.args[2].x`, "cannot be read (TypeError: …)"), never an exception
//!   unwinding through a `&mut self` method (which would leave the object borrowed for good).
//!   Data is bounded before it is copied or allocated for (100,000 elements or keys per
//!   array or object, 1,000,000 values and 16 Mi characters per call, 1 Mi characters per
//!   string, 64 levels: the `MAX_*` constants of [`convert`]).
//! * **Short messages.** A value or field longer than 64 characters is shown by its first 64
//!   and `…` (in the message, its length follows: `"aaaa…" (1000000 characters)`), in the
//!   `field` and `value` properties too.
//! * Objects are freed by the JS garbage collector (`wasm-bindgen --weak-refs`); nobody
//!   calls `.free()` by hand.
//!
//! # Layout
//!
//! * [`error`]: core errors → JS errors.
//! * [`time`]: epoch milliseconds ↔ [`Timestamp`](crate::Timestamp), zone names.
//! * [`trigger`]: `WasmTrigger`, one built trigger and its fire-time queries.
//! * [`scheduler`]: `SchedulerCore` — `tick(nowMs)`, `nextWakeup()`, the run-progress
//!   calls and `drainOutput()`, the one ordered queue of store ops, runs and events;
//!   [`convert`] builds the objects it returns.

pub mod convert;
pub mod error;
pub mod scheduler;
pub mod time;
pub mod trigger;
