/**
 * @module metrics
 * Prometheus metrics on core's registry (`@tributary/core/metrics`): what the pipeline reports on its
 * bus (records stored and rejected, runs, deliveries, retries, dead letters, stage latency), queue
 * depth, in-flight count and oldest age per stage topic (sampled at each scrape), and the server's
 * own HTTP counters.
 */
import type { EventBus, StageName, TributaryEvents } from '@tributary/core/events';
import { createMetricsRegistry, instrumentBus, startLagMonitor, type Counter, type Histogram, type MetricsRegistry } from '@tributary/core/metrics';
import type { QueueAdapter } from '@tributary/core/queue';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The server's metrics. */
export interface ServerMetrics {
  registry: MetricsRegistry;
  httpRequests: Counter;
  httpDuration: Histogram;
  rateLimited: Counter;
  recordsAccepted: Counter;
  /** The exposition text, with the queue gauges sampled now. */
  render(): Promise<string>;
  stop(): void;
}

/** Creates the server's metrics and starts counting what the bus reports. */
export function createServerMetrics(deps: { bus: EventBus<TributaryEvents>; queue: QueueAdapter; topics: Readonly<Record<StageName, string>> }): ServerMetrics {
  const registry = createMetricsRegistry();
  const httpRequests = registry.counter('tributary_http_requests_total', 'HTTP requests answered, by method, route and status.');
  const httpDuration = registry.histogram('tributary_http_request_duration_seconds', 'HTTP request latency, by method and route.');
  const rateLimited = registry.counter('tributary_http_rate_limited_total', 'Requests refused by the per-workspace rate limit (429), by kind (api, hooks).');
  const recordsAccepted = registry.counter('tributary_ingest_items_total', 'Items accepted for ingestion over HTTP, by route.');
  const tooMany = registry.counter('tributary_deliveries_429_total', 'Deliveries a target answered with 429 Too Many Requests.');
  const runsStarted = registry.counter('tributary_fetch_runs_started_total', 'Pulls of sources that started.');

  const offs = [
    instrumentBus(deps.bus, registry),
    deps.bus.on('delivery.failed', (e) => {
      if (e.status === 429) tooMany.inc();
    }),
    deps.bus.on('fetch.run.started', () => runsStarted.inc()),
  ];
  // Sampled at every scrape; the slow interval only keeps `queue.stats` flowing on the bus.
  const lag = startLagMonitor({ queue: deps.queue, topics: Object.values(deps.topics), bus: deps.bus, registry, intervalMs: 30_000 });

  return {
    registry,
    httpRequests,
    httpDuration,
    rateLimited,
    recordsAccepted,
    async render() {
      await lag.sample();
      return registry.render();
    },
    stop() {
      lag.stop();
      for (const off of offs) off();
    },
  };
}
