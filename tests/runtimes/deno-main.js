// Deno: the package's `deno` entry point.
import * as tw from '../../dist/deno.js';
import { smoke } from './smoke.js';

console.log(JSON.stringify(smoke(tw)));
