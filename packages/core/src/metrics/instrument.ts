import type { Clock } from '../clock/index.js';
import { systemClock } from '../clock/index.js';
import type { EventBus, TributaryEvents } from '../events/index.js';
import type { QueueAdapter } from '../queue/index.js';
import type { MetricsRegistry } from './registry.js';

/**
 * Counts what the pipeline reports on its bus: records stored and rejected, stage outcomes and
 * durations, pulls started and finished, deliveries, 429s, retries and dead letters. Returns a function that stops it.
 */
export function instrumentBus(bus: EventBus<TributaryEvents>, registry: MetricsRegistry): () => void {
  const stored = registry.counter('tributary_records_stored_total', 'Records written by the analyze stage, by outcome.');
  const rejected = registry.counter('tributary_records_rejected_total', 'Items that could not be parsed into records.');
  const stageMessages = registry.counter('tributary_stage_messages_total', 'Messages handled by each stage, by outcome.');
  const stageDuration = registry.histogram('tributary_stage_duration_seconds', 'Time a stage took for one message.');
  const runs = registry.counter('tributary_fetch_runs_total', 'Pulls of sources, by status.');
  const pulled = registry.counter('tributary_fetch_items_total', 'Raw items pulled from sources.');
  const deliveries = registry.counter('tributary_deliveries_total', 'Deliveries to targets, by outcome.');
  const deliveryDuration = registry.histogram('tributary_delivery_duration_seconds', 'Time a target took to accept a message.');
  const throttled = registry.counter('tributary_delivery_throttled_total', 'Times a target was paused, by reason (429, Retry-After, budget, circuit).');
  const retries = registry.counter('tributary_retries_total', 'Messages handed back for another attempt, by stage.');
  const tooMany = registry.counter('tributary_deliveries_429_total', 'Deliveries a target answered with 429 Too Many Requests.');
  const runsStarted = registry.counter('tributary_fetch_runs_started_total', 'Pulls of sources that started.');
  const deadLetters = registry.counter('tributary_dead_letters_total', 'Messages dead-lettered, by topic.');
  const offs = [
    bus.on('record.stored', (e) => stored.inc({ status: e.status })),
    bus.on('record.rejected', () => rejected.inc()),
    bus.on('stage.completed', (e) => {
      stageMessages.inc({ stage: e.stage, outcome: 'ok' });
      stageDuration.observe({ stage: e.stage }, e.durationMs / 1000);
    }),
    bus.on('stage.failed', (e) => {
      // A message waiting for an unreachable engine spends no attempt, so it is not a retry.
      stageMessages.inc({ stage: e.stage, outcome: e.waitingForEngine ? 'waiting' : e.willRetry ? 'retry' : 'failed' });
      if (e.willRetry && !e.waitingForEngine) retries.inc({ stage: e.stage });
    }),
    bus.on('fetch.run.started', () => runsStarted.inc()),
    bus.on('fetch.run.completed', (e) => {
      runs.inc({ status: 'succeeded' });
      pulled.inc({}, e.items);
    }),
    bus.on('fetch.run.failed', () => runs.inc({ status: 'failed' })),
    bus.on('fetch.run.skipped', (e) => runs.inc({ status: `skipped_${e.reason}` })),
    bus.on('delivery.succeeded', (e) => {
      deliveries.inc({ outcome: 'delivered' });
      deliveryDuration.observe({}, e.durationMs / 1000);
    }),
    bus.on('delivery.failed', (e) => {
      deliveries.inc({ outcome: e.willRetry ? 'retry' : 'failed' });
      if (e.willRetry) retries.inc({ stage: 'deliver' });
      if (e.status === 429) tooMany.inc();
    }),
    bus.on('delivery.throttled', (e) => throttled.inc({ reason: e.reason })),
    bus.on('message.dead_lettered', (e) => deadLetters.inc({ topic: e.topic })),
  ];
  return () => offs.forEach((off) => off());
}

/** Options of {@link startLagMonitor}. */
export interface LagMonitorOptions {
  queue: QueueAdapter;
  topics: readonly string[];
  bus: EventBus<TributaryEvents>;
  registry?: MetricsRegistry;
  /** @default 5000 */
  intervalMs?: number;
  clock?: Clock;
}

/**
 * Reads the depth, in-flight count, dead letters and age of the oldest undelivered message of each
 * topic on an interval, emits them as `queue.stats` on the bus and sets the matching gauges.
 * Returns a function that stops it.
 */
export function startLagMonitor(options: LagMonitorOptions): { stop(): void; sample(): Promise<void> } {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? 5000;
  const depth = options.registry?.gauge('tributary_queue_depth', 'Messages waiting in a topic.');
  const inFlight = options.registry?.gauge('tributary_queue_in_flight', 'Messages being handled.');
  const oldest = options.registry?.gauge('tributary_queue_oldest_age_seconds', 'Age of the oldest message not yet acknowledged.');
  const dead = options.registry?.gauge('tributary_queue_dead_letters', 'Dead letters kept for a topic.');
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  let stopped = false;
  const sample = async () => {
    for (const topic of options.topics) {
      try {
        const s = await options.queue.stats(topic);
        depth?.set({ topic }, s.depth);
        inFlight?.set({ topic }, s.inFlight);
        oldest?.set({ topic }, s.oldestAgeMs === null ? 0 : s.oldestAgeMs / 1000);
        dead?.set({ topic }, s.deadLetters);
        options.bus.emit('queue.stats', { topic, ...s });
      } catch (error) {
        options.bus.emit('queue.stats_failed', { topic, error: error instanceof Error ? error : new Error(String(error)) });
      }
    }
  };
  const loop = () => {
    timer = clock.setTimeout(async () => {
      await sample();
      if (!stopped) loop();
    }, intervalMs);
  };
  loop();
  return {
    sample,
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
    },
  };
}
