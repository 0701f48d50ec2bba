// A consumer in its own process for the "consumer dies" case of rabbitmq.integration.test.ts: it reports
// each delivery on stdout and never acknowledges; the test kills it with SIGKILL.
import { createRabbitQueue } from '../src/rabbitmq/index.js';

const env = (name: string) => process.env[name] ?? '';
const queue = createRabbitQueue({ url: env('AMQP_URL'), prefix: env('PREFIX'), queueExpiresMs: Number(env('EXPIRES')), onError: () => undefined });
await queue.consume(
  env('TOPIC'),
  async (m) => {
    process.stdout.write(`got ${m.id} ${m.attempt}\n`);
    await new Promise(() => undefined);
  },
  { group: env('GROUP'), visibilityTimeoutMs: Number(env('VISIBILITY')) },
);
process.stdout.write('ready\n');
