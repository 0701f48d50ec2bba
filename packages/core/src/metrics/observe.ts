import type { Clock } from '../clock/index.js';
import type { EventBus, TributaryEvents } from '../events/index.js';
import type { QueueAdapter } from '../queue/index.js';
import { instrumentBus, startLagMonitor } from './instrument.js';
import type { MetricsRegistry } from './registry.js';

/** Options of {@link observePipeline}. */
export interface ObservePipelineOptions {
  bus: EventBus<TributaryEvents>;
  queue: QueueAdapter;
  /** The stage topics whose depth, in-flight count and oldest age are gauged. */
  topics: readonly string[];
  registry: MetricsRegistry;
  /**
   * How often the queue is sampled between scrapes (only to keep `queue.stats` events flowing on the
   * bus: {@link PipelineObservation.render} samples anyway). @default 30000
   */
  lagIntervalMs?: number;
  clock?: Clock;
}

/** A pipeline's metrics, ready to serve. */
export interface PipelineObservation {
  /** The exposition text, with the queue gauges sampled now (so a scrape never shows stale depths). */
  render(): Promise<string>;
  stop(): void;
}

/**
 * Everything a host serving `/metrics` needs of a pipeline: the bus counters of
 * {@link instrumentBus} and the queue gauges of {@link startLagMonitor}, sampled at each render.
 * The host adds its own instruments (HTTP, say) to the same registry.
 */
export function observePipeline(options: ObservePipelineOptions): PipelineObservation {
  const off = instrumentBus(options.bus, options.registry);
  const lag = startLagMonitor({ queue: options.queue, topics: options.topics, bus: options.bus, registry: options.registry, intervalMs: options.lagIntervalMs ?? 30_000, ...(options.clock ? { clock: options.clock } : {}) });
  return {
    async render() {
      await lag.sample();
      return options.registry.render();
    },
    stop() {
      lag.stop();
      off();
    },
  };
}
