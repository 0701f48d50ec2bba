// A consumer in its own process for the "consumer dies" case of nats.integration.test.ts: it reports
// each delivery on stdout and never acknowledges; the test kills it with SIGKILL.
import { createNatsQueue } from '../src/nats/index.js';

const env = (name: string) => process.env[name] ?? '';
const queue = createNatsQueue({ servers: env('NATS_SERVERS'), streamPrefix: env('STREAM_PREFIX'), subjectPrefix: env('SUBJECT_PREFIX'), onError: () => undefined });
await queue.consume(
  env('TOPIC'),
  async (m) => {
    process.stdout.write(`got ${m.id} ${m.attempt}\n`);
    await new Promise(() => undefined);
  },
  { group: env('GROUP'), visibilityTimeoutMs: Number(env('VISIBILITY')) },
);
process.stdout.write('ready\n');
