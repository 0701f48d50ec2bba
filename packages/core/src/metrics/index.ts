/**
 * @module @tributary/core/metrics
 * Observability without a dependency: a small Prometheus registry, bus instrumentation that counts
 * what every stage reports, and a lag monitor that puts each topic's depth and oldest-message age on
 * the bus (`queue.stats`) and in gauges. Serve `registry.render()` at `/metrics`.
 */
export { createMetricsRegistry, DEFAULT_BUCKETS, type Counter, type Gauge, type Histogram, type Labels, type MetricsRegistry } from './registry.js';
export { instrumentBus, startLagMonitor, type LagMonitorOptions } from './instrument.js';
