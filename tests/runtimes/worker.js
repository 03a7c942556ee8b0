// workerd (via miniflare): the package's `workerd` entry point, which imports the .wasm
// file as a compiled module.
import * as tw from '../../dist/workerd.js';
import { smoke } from './smoke.js';

export default {
  async fetch() {
    return new Response(JSON.stringify(smoke(tw)), { headers: { 'content-type': 'application/json' } });
  },
};
