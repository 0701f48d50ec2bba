/**
 * @module @tributary/core/metrics
 * Observability without a dependency: a small Prometheus registry, bus instrumentation that counts
 * what every stage reports, and a lag monitor that puts each topic's depth and oldest-message age on
 * the bus (`queue.stats`) and in gauges. `observePipeline` bundles both for a host; serve its
 * `render()` at `/metrics` with {@link PROMETHEUS_CONTENT_TYPE}.
 */
export { createMetricsRegistry, DEFAULT_BUCKETS, type Counter, type CounterSeries, type Gauge, type Histogram, type HistogramSeries, type Labels, type MetricsRegistry } from './registry.js';
export { instrumentBus, startLagMonitor, type LagMonitorOptions } from './instrument.js';
export { observePipeline, type ObservePipelineOptions, type PipelineObservation } from './observe.js';
/** The content type of {@link MetricsRegistry.render}'s text (Prometheus exposition format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
