// A process for the file queue's crash tests (file-queue-recovery.test.ts), killed with SIGKILL by
// the test. Modes:
//   publish-stream <dir>  publishes without end from 20 concurrent loops; prints `ok <id>` once each
//                         publish resolved (so every printed id was durable before the kill)
//   hold <dir>            publishes one message and consumes it with a handler that never returns;
//                         prints `delivered <id> <attempt>` when the handler starts
import { createFileQueue } from '../src/file-queue/index.js';

const [mode, directory] = process.argv.slice(2);
if (!directory) throw new Error('usage: file-queue-child.ts <publish-stream|hold> <directory>');
const queue = createFileQueue({ directory });
await queue.open();
process.stdout.write('ready\n');

if (mode === 'publish-stream') {
  let n = 0;
  const loop = async () => {
    for (;;) {
      const mine = n++;
      const id = await queue.publish('crash', { n: mine, text: `message ${mine}` });
      process.stdout.write(`ok ${id}\n`);
    }
  };
  for (let i = 0; i < 20; i++) void loop();
} else if (mode === 'hold') {
  await queue.publish('held', { n: 1 }, { id: 'held-1' });
  await queue.consume(
    'held',
    (m) => {
      process.stdout.write(`delivered ${m.id} ${m.attempt}\n`);
      return new Promise(() => undefined);
    },
    { group: 'g', visibilityTimeoutMs: 600_000 },
  );
} else {
  throw new Error(`unknown mode ${mode}`);
}
