import { describe, expect, it } from 'vitest';
import { createManualClock } from '@tributary/core/clock';
import { createEventBus } from '@tributary/core/events';
import { createMetricsRegistry, instrumentBus, startLagMonitor } from '@tributary/core/metrics';
import { createMemoryQueue } from '@tributary/core/queue/memory';

describe('metrics registry', () => {
  it('renders counters, gauges and histograms in the Prometheus text format', () => {
    const r = createMetricsRegistry();
    r.counter('jobs_total', 'Jobs.').inc({ kind: 'a' });
    r.counter('jobs_total', 'Jobs.').inc({ kind: 'a' }, 2);
    r.gauge('depth', 'Depth "now".').set({ topic: 'x"y' }, 7);
    r.histogram('latency_seconds', 'Latency.', [0.1, 1]).observe({}, 0.5);
    expect(r.render()).toBe(
      [
        '# HELP jobs_total Jobs.',
        '# TYPE jobs_total counter',
        'jobs_total{kind="a"} 3',
        '# HELP depth Depth "now".',
        '# TYPE depth gauge',
        'depth{topic="x\\"y"} 7',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{le="0.1"} 0',
        'latency_seconds_bucket{le="1"} 1',
        'latency_seconds_bucket{le="+Inf"} 1',
        'latency_seconds_sum 0.5',
        'latency_seconds_count 1',
        '',
      ].join('\n'),
    );
    expect(() => r.counter('jobs_total', 'x').inc({}, -1)).toThrow(/only goes up/);
    expect(() => r.gauge('jobs_total', 'x')).toThrow(/is a counter/);
    expect(() => r.counter('bad name', 'x')).toThrow(/invalid metric name/);
  });

  it('a series found once counts into the same series as labels given each time', () => {
    const r = createMetricsRegistry();
    const jobs = r.counter('jobs_total', 'Jobs.');
    const bound = jobs.series({ kind: 'a', route: 'r' });
    bound.inc();
    bound.inc(2);
    jobs.inc({ route: 'r', kind: 'a' });
    expect(r.value('jobs_total', { kind: 'a', route: 'r' })).toBe(4);
    expect(() => bound.inc(-1)).toThrow(/only goes up/);
    const latency = r.histogram('latency_seconds', 'Latency.', [0.1, 1]);
    latency.series({ route: 'r' }).observe(0.05);
    latency.observe({ route: 'r' }, 2);
    expect(r.render()).toContain('latency_seconds_bucket{route="r",le="0.1"} 1');
    expect(r.render()).toContain('latency_seconds_count{route="r"} 2');
  });
});

describe('bus instrumentation', () => {
  it('counts what the stages report', () => {
    const bus = createEventBus();
    const r = createMetricsRegistry();
    const stop = instrumentBus(bus, r);
    bus.emit('record.stored', { workspaceId: 'w', sourceId: 's', recordId: 'r', status: 'created', revision: 1 });
    bus.emit('delivery.throttled', { target: 't', waitMs: 1000, reason: 'retry_after' });
    bus.emit('stage.failed', { stage: 'deliver', messageId: 'm', error: new Error('x'), attempt: 1, willRetry: true });
    bus.emit('message.dead_lettered', { topic: 'tributary.deliver', messageId: 'm', reason: 'x' });
    expect(r.value('tributary_records_stored_total', { status: 'created' })).toBe(1);
    expect(r.value('tributary_delivery_throttled_total', { reason: 'retry_after' })).toBe(1);
    expect(r.value('tributary_retries_total', { stage: 'deliver' })).toBe(1);
    expect(r.value('tributary_dead_letters_total', { topic: 'tributary.deliver' })).toBe(1);
    stop();
    bus.emit('record.stored', { workspaceId: 'w', sourceId: 's', recordId: 'r', status: 'created', revision: 1 });
    expect(r.value('tributary_records_stored_total', { status: 'created' })).toBe(1);
  });
});

describe('lag monitor', () => {
  it('puts depth and oldest age on the bus and in gauges', async () => {
    const clock = createManualClock(0);
    const queue = createMemoryQueue({ clock });
    const bus = createEventBus();
    const registry = createMetricsRegistry();
    const seen: number[] = [];
    bus.on('queue.stats', (e) => seen.push(e.depth));
    await queue.publish('t', { a: 1 });
    await queue.publish('t', { a: 2 });
    const monitor = startLagMonitor({ queue, topics: ['t'], bus, registry, intervalMs: 1000, clock });
    await clock.advance(3000);
    expect(seen).toEqual([2, 2, 2]);
    expect(registry.value('tributary_queue_depth', { topic: 't' })).toBe(2);
    expect(registry.value('tributary_queue_oldest_age_seconds', { topic: 't' })).toBe(3);
    monitor.stop();
    await clock.advance(5000);
    expect(seen).toHaveLength(3);
    await queue.dispose();
  });
});
