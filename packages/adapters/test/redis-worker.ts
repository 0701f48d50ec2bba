// A consumer in its own process for the "consumer dies" case of redis.integration.test.ts: it reports
// each delivery on stdout and never acknowledges; the test kills it with SIGKILL.
import { createRedisQueue } from '../src/redis/index.js';

const env = (name: string) => process.env[name] ?? '';
const queue = createRedisQueue({ url: env('REDIS_URL'), streamPrefix: env('PREFIX'), onError: () => undefined });
await queue.consume(
  env('TOPIC'),
  async (m) => {
    process.stdout.write(`got ${m.id} ${m.attempt}\n`);
    await new Promise(() => undefined);
  },
  { group: env('GROUP'), visibilityTimeoutMs: Number(env('VISIBILITY')) },
);
process.stdout.write('ready\n');
