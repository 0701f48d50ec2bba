// A process for the file dedup store's crash test (file-dedup.test.ts), killed with SIGKILL by the
// test. Usage: file-dedup-child.ts <directory>. Remembers deliveries without end from 20 concurrent
// loops and prints `ok <key>` once each `remember()` resolved, so every printed key was durable
// before the kill.
import { createFileDedupStore } from '../src/file-dedup/index.js';

const [directory] = process.argv.slice(2);
if (!directory) throw new Error('usage: file-dedup-child.ts <directory>');
const store = createFileDedupStore({ directory });
await store.open();
process.stdout.write('ready\n');

let n = 0;
const loop = async () => {
  for (;;) {
    const key = `key-${n++}`;
    // An hour ahead: the reopening test must find every one of them live.
    await store.remember('ws-crash', key, { sourceId: 'src', deliveryId: key, acceptedAt: new Date().toISOString(), expiresAt: Date.now() + 3_600_000, accepted: 1, ids: [`rec-${key}`] });
    process.stdout.write(`ok ${key}\n`);
  }
};
for (let i = 0; i < 20; i++) void loop();
