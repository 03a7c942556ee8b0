// The package's public API, shared by every runtime. The runtime-specific entry points
// (node.js, node-cjs.js, browser.js, deno.js, workerd.js) load the wasm module first and
// then re-export this module. Nothing here touches wasm while the module is evaluated.
export { TickwerkError } from './errors.js';
export { ready } from './ready.js';
export { hostTimezone } from './time.js';
export {
  AndTrigger,
  BaseTrigger,
  CalendarIntervalTrigger,
  CronTrigger,
  DateTrigger,
  IntervalTrigger,
  OrTrigger,
  triggerFromSpec,
} from './triggers.js';
export { formatInstant, SchedulerCore, WasmTrigger } from './core/tickwerk_core.js';
export * from './scheduler.js';
