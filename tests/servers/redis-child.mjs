// Child process of the Redis store tests. Prints JSON lines (read by children.mjs).
//
//   writer <url> <ttl>   the adapter (js/redis-store.js) on store "default": prints
//                        {role} on every role change; once it has led, writes the record
//                        "counter" every 100 ms whatever its role and prints {wrote: n} when the
//                        server accepted it, {refused: code} when not
import { RedisJobStore } from '../../js/redis-store.js';

const [mode, url, ttl] = process.argv.slice(2);
const say = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

if (mode === 'writer') {
  const store = new RedisJobStore({ connection: url, leaseTtl: Number(ttl) });
  store.bind('default');
  let led = false;
  await store.coordinate({
    role(role) {
      if (role === 'leader') led = true;
      say({ role });
    },
    notice() {},
  });
  let n = 0;
  setInterval(async () => {
    if (!led) return;
    n += 1;
    try {
      await store.apply([{ op: 'put', jobstore: 'default', jobId: 'counter', record: { version: 1, id: 'counter', n } }]);
      say({ wrote: n });
    } catch (e) {
      say({ refused: e.code });
    }
  }, 100);
} else {
  throw new Error(`unknown mode ${mode}`);
}
