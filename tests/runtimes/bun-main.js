// Bun: the package's `node` entry point (Bun resolves the `node` condition).
import * as tw from '../../dist/node.js';
import { smoke } from './smoke.js';

console.log(JSON.stringify(smoke(tw)));
