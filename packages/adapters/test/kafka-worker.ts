// A consumer in its own process for the "consumer dies" case of kafka.integration.test.ts: it reports
// each delivery on stdout and never finishes it; the test kills it with SIGKILL.
import { createKafkaQueue } from '../src/kafka/index.js';

const env = (name: string) => process.env[name] ?? '';
const queue = createKafkaQueue({
  brokers: env('KAFKA_BROKERS').split(','),
  topicPrefix: env('TOPIC_PREFIX'),
  groupPrefix: env('GROUP_PREFIX'),
  sessionTimeoutMs: 10_000,
  onError: () => undefined,
});
await queue.consume(
  env('TOPIC'),
  async (m) => {
    process.stdout.write(`got ${m.id} ${m.attempt}\n`);
    await new Promise(() => undefined);
  },
  { group: env('GROUP'), visibilityTimeoutMs: 600_000 },
);
process.stdout.write('ready\n');
