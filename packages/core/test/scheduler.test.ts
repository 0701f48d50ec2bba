import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '@tributary/core/clock';
import { createEventBus, type EventBus, type TributaryEvents } from '@tributary/core/events';
import type { RunRecord, SourceSchedule } from '@tributary/core/pipeline';
import { createScheduler, type ScheduleEntry, type Scheduler, type SchedulerOptions } from '@tributary/core/scheduler';
import type { StorageAdapter } from '@tributary/core/storage';
import { createMemoryStorage } from '@tributary/core/storage/memory';

const MIN = 60_000;
const START = Date.UTC(2026, 0, 1);
const realTick = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Behaviour {
  /** How long a run takes on the manual clock. */
  durationMs: number;
  outcome: 'succeeded' | 'failed';
}

/**
 * A fake pipeline on a manual clock: `trigger` writes a run document and a simulated worker moves it to
 * running, then to its outcome after `durationMs`, emitting the fetch events as the fetch stage does.
 */
function fakePipeline(clock: ManualClock, storage: StorageAdapter, bus: EventBus<TributaryEvents>, options: { emitEvents?: boolean } = {}) {
  const behaviours = new Map<string, Behaviour>();
  const runs: { runId: string; sourceId: string; trigger: string; at: number; endedAt?: number }[] = [];
  const active = new Map<string, number>();
  let maxActive = 0;
  let maxActivePerSource = 0;
  let seq = 0;
  const iso = () => new Date(clock.now()).toISOString();
  const trigger: SchedulerOptions['trigger'] = async (workspaceId, sourceId, { trigger }) => {
    const runId = `run_${++seq}`;
    const b = behaviours.get(sourceId) ?? { durationMs: 1_000, outcome: 'succeeded' };
    const run: RunRecord = { id: runId, workspaceId, sourceId, trigger, status: 'queued', requestedAt: iso(), startedAt: null, finishedAt: null, pages: 0, items: 0, error: null };
    await storage.putDocument('runs', workspaceId, runId, run);
    const record = { runId, sourceId, trigger, at: clock.now() } as (typeof runs)[number];
    runs.push(record);
    active.set(sourceId, (active.get(sourceId) ?? 0) + 1);
    maxActivePerSource = Math.max(maxActivePerSource, active.get(sourceId)!);
    maxActive = Math.max(maxActive, [...active.values()].reduce((a, n) => a + n, 0));
    await storage.putDocument('runs', workspaceId, runId, { ...run, status: 'running', startedAt: iso() });
    clock.setTimeout(async () => {
      active.set(sourceId, active.get(sourceId)! - 1);
      record.endedAt = clock.now();
      await storage.putDocument('runs', workspaceId, runId, { ...run, status: b.outcome, startedAt: run.requestedAt, finishedAt: iso(), error: b.outcome === 'failed' ? 'boom' : null });
      if (options.emitEvents === false) return;
      if (b.outcome === 'succeeded') bus.emit('fetch.run.completed', { workspaceId, sourceId, runId, pages: 1, items: 1, durationMs: b.durationMs });
      else bus.emit('fetch.run.failed', { workspaceId, sourceId, runId, error: new Error('boom'), pages: 0, items: 0 });
    }, b.durationMs);
    return { runId };
  };
  return {
    trigger,
    runs,
    behaviours,
    runsOf: (sourceId: string) => runs.filter((r) => r.sourceId === sourceId),
    get maxActive() {
      return maxActive;
    },
    get maxActivePerSource() {
      return maxActivePerSource;
    },
  };
}

const schedulers: Scheduler[] = [];
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
});

function setup(schedules: ScheduleEntry[], options: Partial<SchedulerOptions> = {}, shared?: { clock: ManualClock; storage: StorageAdapter; bus: EventBus<TributaryEvents> }) {
  const clock = shared?.clock ?? createManualClock(START);
  const storage = shared?.storage ?? createMemoryStorage({ clock });
  const bus = shared?.bus ?? createEventBus();
  const fake = fakePipeline(clock, storage, bus);
  const skips: { sourceId: string; reason: string; at: number }[] = [];
  bus.on('fetch.run.skipped', (e) => skips.push({ sourceId: e.sourceId, reason: e.reason, at: clock.now() }));
  const errors: Error[] = [];
  const list = [...schedules];
  const scheduler = createScheduler({
    trigger: fake.trigger,
    listSchedules: async () => list,
    bus,
    storage,
    clock,
    spreadIntervals: false,
    onError: (e) => errors.push(e),
    ...options,
  });
  schedulers.push(scheduler);
  /** Moves the manual clock in steps, letting the async work of each step finish. */
  const run = async (ms: number, stepMs = 1_000) => {
    for (let t = 0; t < ms; t += stepMs) {
      await clock.advance(Math.min(stepMs, ms - t));
      for (let i = 0; i < 5; i++) await realTick();
    }
  };
  return { clock, storage, bus, fake, skips, errors, scheduler, run, list };
}

const every = (sourceId: string, schedule: SourceSchedule): ScheduleEntry => ({ workspaceId: 'ws1', sourceId, schedule });
const minutes = (times: number[]) => times.map((t) => (t - START) / MIN);

describe('scheduler: firing', () => {
  it('fires interval schedules on their ticks', async () => {
    const t = setup([every('a', { everyMs: MIN }), every('b', { everyMs: 2 * MIN })]);
    await t.scheduler.start();
    expect(t.scheduler.nextFireAt('ws1', 'a')).toBe(START + MIN);
    await t.run(6 * MIN);
    expect(minutes(t.fake.runsOf('a').map((r) => r.at))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(minutes(t.fake.runsOf('b').map((r) => r.at))).toEqual([2, 4, 6]);
    expect(t.fake.runs.every((r) => r.trigger === 'schedule')).toBe(true);
  });

  it('fires cron schedules (UTC)', async () => {
    const t = setup([every('a', { cron: '*/20 * * * *' }), every('b', { cron: '5 0 * * *' })]);
    await t.scheduler.start();
    await t.run(70 * MIN, 5_000);
    expect(minutes(t.fake.runsOf('a').map((r) => r.at))).toEqual([20, 40, 60]);
    expect(minutes(t.fake.runsOf('b').map((r) => r.at))).toEqual([5]);
  });

  it('picks up new, changed and removed schedules on refresh', async () => {
    const t = setup([every('a', { everyMs: MIN })], { refreshMs: 5 * MIN });
    await t.scheduler.start();
    await t.run(2 * MIN);
    t.list.push(every('b', { everyMs: MIN }));
    t.list[0] = every('a', { everyMs: 10 * MIN });
    await t.run(8 * MIN);
    // the refresh at 5 min applied both changes
    expect(minutes(t.fake.runsOf('a').map((r) => r.at))).toEqual([1, 2, 3, 4, 5, 10]);
    expect(minutes(t.fake.runsOf('b').map((r) => r.at))).toEqual([6, 7, 8, 9, 10]);
    t.list.splice(0);
    await t.scheduler.refresh();
    expect(t.scheduler.stats().scheduled).toBe(0);
  });

  it('reports an invalid schedule and keeps the others running', async () => {
    const t = setup([every('bad', { cron: '61 * * * *' }), every('good', { everyMs: MIN })]);
    await t.scheduler.start();
    await t.run(2 * MIN);
    expect(t.errors.map((e) => e.message)).toEqual([expect.stringContaining('invalid cron expression')]);
    expect(t.fake.runsOf('good')).toHaveLength(2);
  });

  it('triggerNow fires at once with trigger "manual"', async () => {
    const t = setup([]);
    await t.scheduler.start();
    const result = await t.scheduler.triggerNow('ws1', 'x');
    expect(result).toEqual({ status: 'triggered', runId: 'run_1' });
    expect(t.fake.runs[0]).toMatchObject({ sourceId: 'x', trigger: 'manual', at: START });
  });

  it('stops firing once stopped', async () => {
    const t = setup([every('a', { everyMs: MIN })]);
    await t.scheduler.start();
    await t.run(2 * MIN);
    await t.scheduler.stop();
    await t.run(5 * MIN);
    expect(t.fake.runsOf('a')).toHaveLength(2);
    expect(await t.scheduler.triggerNow('ws1', 'a')).toEqual({ status: 'skipped', reason: 'stopped' });
  });
});

describe('scheduler: overlap and concurrency', () => {
  it('never starts a run of a source while its previous run is in progress', async () => {
    const t = setup([every('a', { everyMs: MIN })]);
    t.fake.behaviours.set('a', { durationMs: 150_000, outcome: 'succeeded' });
    await t.scheduler.start();
    await t.run(10 * MIN);
    expect(t.fake.maxActivePerSource).toBe(1);
    // runs at 1, 4, 7, 10 (each lasts 2.5 min); the ticks in between were skipped as locked
    expect(minutes(t.fake.runsOf('a').map((r) => r.at))).toEqual([1, 4, 7, 10]);
    expect(t.skips.filter((s) => s.reason === 'locked').map((s) => (s.at - START) / MIN)).toEqual([2, 3, 5, 6, 8, 9]);
    expect(await t.scheduler.triggerNow('ws1', 'a')).toEqual({ status: 'skipped', reason: 'running' });
  });

  it('sees a run another process started (its run document) and does not overlap it', async () => {
    const t = setup([]);
    await t.storage.putDocument('schedules', 'ws1', 'a', { workspaceId: 'ws1', sourceId: 'a', lastRunId: 'run_other', lastFiredAt: null, failures: 0, opens: 0, openUntil: null, lastError: null });
    await t.storage.putDocument('runs', 'ws1', 'run_other', { id: 'run_other', workspaceId: 'ws1', sourceId: 'a', trigger: 'schedule', status: 'running', requestedAt: new Date(START).toISOString(), startedAt: new Date(START).toISOString(), finishedAt: null, pages: 0, items: 0, error: null } satisfies RunRecord);
    await t.scheduler.start();
    expect(await t.scheduler.triggerNow('ws1', 'a')).toEqual({ status: 'skipped', reason: 'running' });
    // a run document left "running" by a dead worker stops blocking after runTimeoutMs
    t.clock.set(START + 3_600_001);
    expect(await t.scheduler.triggerNow('ws1', 'a')).toMatchObject({ status: 'triggered' });
  });

  it('fires each tick in one process only when several share a store', async () => {
    const first = setup([every('a', { everyMs: MIN }), every('b', { everyMs: MIN })], { instanceId: 'p1' });
    const second = setup([every('a', { everyMs: MIN }), every('b', { everyMs: MIN })], { instanceId: 'p2' }, { clock: first.clock, storage: first.storage, bus: first.bus });
    await first.scheduler.start();
    await second.scheduler.start();
    await first.run(5 * MIN);
    const all = [...first.fake.runs, ...second.fake.runs];
    for (const source of ['a', 'b']) expect(minutes(all.filter((r) => r.sourceId === source).map((r) => r.at)).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps at most `concurrency` runs in progress across sources', async () => {
    const sources = ['a', 'b', 'c', 'd', 'e'];
    const t = setup(
      sources.map((s) => every(s, { everyMs: 10 * MIN })),
      { concurrency: 2 },
    );
    for (const s of sources) t.fake.behaviours.set(s, { durationMs: 30_000, outcome: 'succeeded' });
    await t.scheduler.start();
    await t.run(12 * MIN);
    expect(t.fake.maxActive).toBe(2);
    // all five ran, two at a time: at 10:00, 10:30 and 11:00
    expect(t.fake.runs.map((r) => (r.at - START) / 1000).sort((x, y) => x - y)).toEqual([600, 600, 630, 630, 660]);
  });

  it('settles runs executed by another process by polling their run documents', async () => {
    const clock = createManualClock(START);
    const storage = createMemoryStorage({ clock });
    const bus = createEventBus();
    const fake = fakePipeline(clock, storage, bus, { emitEvents: false });
    fake.behaviours.set('a', { durationMs: 20_000, outcome: 'succeeded' });
    const scheduler = createScheduler({ trigger: fake.trigger, listSchedules: async () => [], bus, storage, clock, concurrency: 1, pollMs: 5_000 });
    schedulers.push(scheduler);
    await scheduler.start();
    await scheduler.triggerNow('ws1', 'a');
    const second = scheduler.triggerNow('ws1', 'b');
    for (let i = 0; i < 30; i++) {
      await clock.advance(1_000);
      await realTick();
    }
    expect(await second).toMatchObject({ status: 'triggered' });
    // b waited for a's slot until the poll after a ended (at 20 s)
    expect(fake.runsOf('b')[0]!.at - START).toBe(20_000);
  });
});

describe('scheduler: circuit breaker', () => {
  it('opens after consecutive failures, skips while open, half-opens after the cool-down, and closes on success', async () => {
    const t = setup([every('a', { everyMs: MIN })], { circuitBreaker: { failureThreshold: 3, cooldownMs: 5 * MIN } });
    t.fake.behaviours.set('a', { durationMs: 1_000, outcome: 'failed' });
    await t.scheduler.start();
    await t.run(3 * MIN + 5_000);
    expect(minutes(t.fake.runsOf('a').map((r) => r.at))).toEqual([1, 2, 3]);
    expect(await t.scheduler.breaker('ws1', 'a')).toBe('open');
    expect(await t.scheduler.getState('ws1', 'a')).toMatchObject({ failures: 3, opens: 1, openUntil: new Date(START + 3 * MIN + 1_000 + 5 * MIN).toISOString(), lastError: 'boom' });

    // open until 8:01; ticks 4..8 are skipped, 9 is the trial, which fails: open again for twice as long
    await t.run(6 * MIN);
    expect(t.skips.filter((s) => s.reason === 'circuit_open').map((s) => (s.at - START) / MIN)).toEqual([4, 5, 6, 7, 8]);
    expect(minutes(t.fake.runsOf('a').map((r) => r.at))).toEqual([1, 2, 3, 9]);
    expect(await t.scheduler.getState('ws1', 'a')).toMatchObject({ opens: 2, openUntil: new Date(START + 9 * MIN + 1_000 + 10 * MIN).toISOString() });

    // the source recovers: the next trial (at 20) succeeds and closes the circuit
    t.fake.behaviours.set('a', { durationMs: 1_000, outcome: 'succeeded' });
    await t.run(12 * MIN);
    expect(minutes(t.fake.runsOf('a').map((r) => r.at))).toEqual([1, 2, 3, 9, 20, 21]);
    expect(await t.scheduler.breaker('ws1', 'a')).toBe('closed');
    expect(await t.scheduler.getState('ws1', 'a')).toMatchObject({ failures: 0, opens: 0, openUntil: null });
  });

  it('counts a trigger that throws as a failure', async () => {
    const clock = createManualClock(START);
    const storage = createMemoryStorage({ clock });
    const errors: string[] = [];
    const scheduler = createScheduler({
      trigger: async () => {
        throw new Error('source not found');
      },
      listSchedules: async () => [],
      bus: createEventBus(),
      storage,
      clock,
      circuitBreaker: { failureThreshold: 2 },
      onError: (e, c) => errors.push(`${c.operation}: ${e.message}`),
    });
    schedulers.push(scheduler);
    expect(await scheduler.triggerNow('ws1', 'gone')).toMatchObject({ status: 'failed', error: { message: 'source not found' } });
    await scheduler.triggerNow('ws1', 'gone');
    expect(await scheduler.breaker('ws1', 'gone')).toBe('open');
    expect(errors).toEqual(['trigger: source not found', 'trigger: source not found']);
  });

  it('lets triggerNow through an open circuit, and its success closes it', async () => {
    const t = setup([every('a', { everyMs: MIN })], { circuitBreaker: { failureThreshold: 1, cooldownMs: 60 * MIN } });
    t.fake.behaviours.set('a', { durationMs: 1_000, outcome: 'failed' });
    await t.scheduler.start();
    await t.run(2 * MIN);
    expect(await t.scheduler.breaker('ws1', 'a')).toBe('open');
    t.fake.behaviours.set('a', { durationMs: 1_000, outcome: 'succeeded' });
    expect(await t.scheduler.triggerNow('ws1', 'a')).toMatchObject({ status: 'triggered' });
    await t.run(2_000);
    expect(await t.scheduler.breaker('ws1', 'a')).toBe('closed');
  });

  it('never delays the other sources while one keeps failing', async () => {
    const t = setup(
      [every('bad', { everyMs: MIN }), every('good', { everyMs: MIN })],
      { concurrency: 1, circuitBreaker: { failureThreshold: 2, cooldownMs: 30 * MIN } },
    );
    // the failing source holds its slot a long time before failing
    t.fake.behaviours.set('bad', { durationMs: 20_000, outcome: 'failed' });
    t.fake.behaviours.set('good', { durationMs: 1_000, outcome: 'succeeded' });
    await t.scheduler.start();
    await t.run(15 * MIN);
    expect(t.fake.runsOf('bad')).toHaveLength(2);
    const good = t.fake.runsOf('good').map((r) => r.at - START);
    expect(good).toHaveLength(15);
    // once the circuit opened (after the 2nd failure), every run of "good" starts on its tick
    expect(good.slice(2)).toEqual(Array.from({ length: 13 }, (_, i) => (i + 3) * MIN));
  });
});

describe('scheduler: backfill', () => {
  it('resets the checkpoint and fires a backfill run', async () => {
    const t = setup([]);
    await t.storage.setCheckpoint('ws1', 'a', { after: 500 });
    await t.scheduler.start();
    expect(await t.scheduler.backfill('ws1', 'a')).toMatchObject({ status: 'triggered' });
    expect(await t.storage.getCheckpoint('ws1', 'a')).toBeNull();
    expect(t.fake.runs[0]).toMatchObject({ sourceId: 'a', trigger: 'backfill' });
  });

  it('starts from a date through backfillCheckpoint, or from an explicit checkpoint', async () => {
    const t = setup([], { backfillCheckpoint: ({ from }) => ({ since: from }) });
    await t.scheduler.start();
    await t.scheduler.backfill('ws1', 'a', { from: '2025-06-01' });
    expect(await t.storage.getCheckpoint('ws1', 'a')).toEqual({ since: '2025-06-01T00:00:00.000Z' });
    await t.run(2_000);
    await t.scheduler.backfill('ws1', 'a', { checkpoint: { page: 1 } });
    expect(await t.storage.getCheckpoint('ws1', 'a')).toEqual({ page: 1 });
  });

  it('refuses a date it cannot turn into a checkpoint, and waits for a run holding the lock', async () => {
    const t = setup([]);
    await t.scheduler.start();
    await expect(t.scheduler.backfill('ws1', 'a', { from: '2025-06-01' })).rejects.toMatchObject({ code: 'config' });
    await expect(t.scheduler.backfill('ws1', 'a', { from: 'yesterday-ish' })).rejects.toMatchObject({ code: 'validation' });
    await t.storage.setCheckpoint('ws1', 'a', { after: 9 });
    await t.storage.acquireLock('fetch:ws1:a', 'run_elsewhere', 60_000);
    expect(await t.scheduler.backfill('ws1', 'a')).toEqual({ status: 'skipped', reason: 'running' });
    expect(await t.storage.getCheckpoint('ws1', 'a')).toEqual({ after: 9 });
  });
});
