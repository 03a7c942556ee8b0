// The app's entry: the package's default URL for the wasm (webpack, Vite, and esbuild with
// the wasm copied beside the bundle).
import { run } from './main.js';

run();
