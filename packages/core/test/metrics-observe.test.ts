import { describe, expect, it } from 'vitest';
import { createManualClock } from '@tributary/core/clock';
import { createEventBus } from '@tributary/core/events';
import { createMetricsRegistry, observePipeline, PROMETHEUS_CONTENT_TYPE } from '@tributary/core/metrics';
import { createMemoryQueue } from '@tributary/core/queue/memory';

describe('observePipeline', () => {
  it('counts the bus, samples the queue at each render, and stops both', async () => {
    const clock = createManualClock(0);
    const queue = createMemoryQueue({ clock });
    const bus = createEventBus();
    const registry = createMetricsRegistry();
    const observed = observePipeline({ bus, queue, topics: ['t.parse'], registry, lagIntervalMs: 60_000, clock });
    bus.emit('fetch.run.started', { workspaceId: 'w', sourceId: 's', runId: 'r', trigger: 'manual' });
    bus.emit('delivery.failed', { target: 'http', messageId: 'm', idempotencyKey: 'k', status: 429, error: new Error('slow down'), attempt: 1, willRetry: true });
    bus.emit('delivery.failed', { target: 'http', messageId: 'm', idempotencyKey: 'k', status: 500, error: new Error('boom'), attempt: 2, willRetry: true });
    await queue.publish('t.parse', { a: 1 });

    // No interval has passed: the depth comes from the sample render takes.
    const text = await observed.render();
    expect(text).toContain('tributary_queue_depth{topic="t.parse"} 1');
    expect(text).toContain('tributary_fetch_runs_started_total 1');
    expect(text).toContain('tributary_deliveries_429_total 1');
    expect(registry.value('tributary_deliveries_total', { outcome: 'retry' })).toBe(2);
    expect(PROMETHEUS_CONTENT_TYPE).toMatch(/^text\/plain; version=0\.0\.4/);

    observed.stop();
    bus.emit('fetch.run.started', { workspaceId: 'w', sourceId: 's', runId: 'r2', trigger: 'manual' });
    expect(registry.value('tributary_fetch_runs_started_total')).toBe(1);
    await queue.dispose();
  });
});
