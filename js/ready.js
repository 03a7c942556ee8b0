// Called by every loader once the wasm module is instantiated.
import { registerErrorClass } from './core/tickwerk_core.js';
import { TickwerkError } from './errors.js';

/** Finishes loading: errors thrown inside wasm become `TickwerkError`s. */
export function ready() {
  registerErrorClass(TickwerkError);
}
