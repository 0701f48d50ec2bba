/**
 * @module metrics
 * The server's Prometheus metrics: core's registry with the pipeline observed by
 * `observePipeline` (`@tributary/core/metrics`: what the stages report on the bus, and queue depth,
 * in-flight count and oldest age per stage topic, sampled at each scrape), plus the server's own
 * HTTP instruments.
 */
import type { EventBus, StageName, TributaryEvents } from '@tributary/core/events';
import { createMetricsRegistry, observePipeline, type Counter, type Histogram, type MetricsRegistry } from '@tributary/core/metrics';
import type { QueueAdapter } from '@tributary/core/queue';

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
  const pipeline = observePipeline({ bus: deps.bus, queue: deps.queue, topics: Object.values(deps.topics), registry });
  return {
    registry,
    httpRequests: registry.counter('tributary_http_requests_total', 'HTTP requests answered, by method, route and status.'),
    httpDuration: registry.histogram('tributary_http_request_duration_seconds', 'HTTP request latency, by method and route.'),
    rateLimited: registry.counter('tributary_http_rate_limited_total', 'Requests refused by the per-workspace rate limit (429), by kind (api, hooks).'),
    recordsAccepted: registry.counter('tributary_ingest_items_total', 'Items accepted for ingestion over HTTP, by route.'),
    render: () => pipeline.render(),
    stop: () => pipeline.stop(),
  };
}
