// esbuild with its file loader (`loader: { '.wasm': 'file' }`): the app imports the wasm's
// URL and hands it to ready() before the background load starts.
import wasmUrl from 'tickwerk/tickwerk_bg.wasm';
import { ready } from 'tickwerk';
import { run } from './main.js';

ready(new URL(wasmUrl, import.meta.url));
run();
