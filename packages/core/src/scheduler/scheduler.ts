import pLimit from 'p-limit';
import { systemClock, type Clock, type TimerHandle } from '../clock/index.js';
import { createError, toError } from '../errors/index.js';
import type { EventBus, TributaryEvents } from '../events/index.js';
import { fetchLockKey } from '../pipeline/fetch-stage.js';
import type { FetchJob, RunRecord, SourceSchedule } from '../pipeline/types.js';
import type { StorageAdapter } from '../storage/index.js';
import { breakerAfterFailure, breakerAfterSuccess, breakerStatus, closedBreaker, type BreakerStatus, type CircuitBreakerOptions } from './breaker.js';
import { compileSchedule, type CompiledSchedule } from './schedule.js';

/** One scheduled source, as `listSchedules` returns it. */
export interface ScheduleEntry {
  workspaceId: string;
  sourceId: string;
  schedule: SourceSchedule;
}

/** Queues a run of a source; `createPipeline(...).trigger` fits. */
export type TriggerFunction = (workspaceId: string, sourceId: string, options: { trigger: FetchJob['trigger'] }) => Promise<{ runId: string }>;

/** Options of {@link createScheduler}. */
export interface SchedulerOptions {
  /** Queues a run (`pipeline.trigger`). */
  trigger: TriggerFunction;
  /** The sources to schedule and their schedules; re-read every `refreshMs`. */
  listSchedules: () => Promise<readonly ScheduleEntry[]>;
  /** Where runs report (`pipeline.bus`); the scheduler also emits `fetch.run.skipped` on it. */
  bus: EventBus<TributaryEvents>;
  /** Holds the tick leases, the per-source scheduler state and the run documents. */
  storage: StorageAdapter;
  /** @default systemClock */
  clock?: Clock;
  /**
   * Runs (across all sources) this scheduler has in progress at once: a fired run holds its slot until
   * it completes, fails or is skipped. Sources whose circuit is open take no slot.
   * @default 4
   */
  concurrency?: number;
  /** When a failing source is backed off. @default { failureThreshold: 5, cooldownMs: 60000, maxCooldownMs: 3600000 } */
  circuitBreaker?: CircuitBreakerOptions;
  /** How often `listSchedules` is re-read. @default 60000 */
  refreshMs?: number;
  /**
   * How often the run documents of runs in progress are re-read. Runs executed by this process end
   * sooner, on the bus events; polling is for runs another process executes.
   * @default 5000
   */
  pollMs?: number;
  /**
   * The longest a run holds a slot. A run document still `queued` or `running` after this long
   * (its worker died) no longer blocks new runs of its source; the fetch lock still prevents overlap.
   * @default 3600000
   */
  runTimeoutMs?: number;
  /**
   * Lease on a source's ticks: the process holding it fires them, the others skip them. It is renewed
   * at every tick, so it must outlast the clock skew between processes.
   * @default 30000
   */
  leaseTtlMs?: number;
  /** Names this process as lease owner. @default a random id */
  instanceId?: string;
  /** Spread interval schedules over their interval by a hash of the source (see `compileSchedule`). @default true */
  spreadIntervals?: boolean;
  /**
   * Builds the checkpoint a backfill `from` a date starts at, for the connector of that source (only
   * the host knows it), e.g. `({ from }) => ({ since: from })`. Without it, `backfill` takes an
   * explicit `checkpoint` or none (the connector then starts from its configured beginning).
   * @default none
   */
  backfillCheckpoint?: (target: { workspaceId: string; sourceId: string; from: string }) => unknown;
  /** Lock key of a source's runs; must match the fetch stage's. @default fetchLockKey */
  lockKey?: (workspaceId: string, sourceId: string) => string;
  /** Errors of the scheduler itself (listing schedules, storage, a failing trigger). Core logs nothing itself. @default none */
  onError?: (error: Error, context: { operation: string; workspaceId?: string; sourceId?: string }) => void;
}

/** What the scheduler keeps per source, in the `schedules` collection (scope: workspace, id: source). */
export interface ScheduleState {
  workspaceId: string;
  sourceId: string;
  /** The last run this scheduler fired. */
  lastRunId: string | null;
  lastFiredAt: string | null;
  /** Failed runs in a row. */
  failures: number;
  /** Times the circuit opened in a row. */
  opens: number;
  /** ISO time until which the circuit is open; null when closed. */
  openUntil: string | null;
  /** Message of the last failure. */
  lastError: string | null;
}

/** Outcome of asking the scheduler to fire a run. */
export type FireResult =
  | { status: 'triggered'; runId: string }
  | { status: 'skipped'; reason: 'circuit_open' | 'running' | 'leased' | 'stopped' }
  | { status: 'failed'; error: Error };

/** Options of {@link Scheduler.backfill}. */
export interface BackfillOptions {
  /** Start date; turned into a checkpoint by the `backfillCheckpoint` option. */
  from?: Date | string;
  /** The checkpoint to start from, as the connector's checkpoint schema expects it. @default null (from the beginning) */
  checkpoint?: unknown;
}

/** A running scheduler. */
export interface Scheduler {
  /** Reads the schedules and starts firing. */
  start(): Promise<void>;
  /** Stops firing and stops waiting on runs (they go on in the pipeline). */
  stop(): Promise<void>;
  /** Re-reads `listSchedules` now. */
  refresh(): Promise<void>;
  /**
   * Fires a run now, whatever the schedule. It bypasses the circuit breaker (an operator's explicit
   * request; its outcome closes or reopens the circuit) but not the overlap rule, and waits for a slot
   * under the concurrency limit. Resolves once the run is queued.
   */
  triggerNow(workspaceId: string, sourceId: string): Promise<FireResult>;
  /**
   * Pulls a source again from a start point: sets its checkpoint (to `checkpoint`, to the one
   * `backfillCheckpoint` builds for `from`, or to null — the connector's configured beginning, e.g.
   * Discourse's `config.after`) and fires a run with `trigger: 'backfill'`. Records are idempotent, so
   * items already stored come back `unchanged`. Refused (`skipped`, `running`) while a run of the source
   * holds its lock, since that run would save its own checkpoint over the reset.
   */
  backfill(workspaceId: string, sourceId: string, options?: BackfillOptions): Promise<FireResult>;
  /** The stored state of a source (breaker, last run), or null if the scheduler never touched it. */
  getState(workspaceId: string, sourceId: string): Promise<ScheduleState | null>;
  /** The breaker's status for a source now. */
  breaker(workspaceId: string, sourceId: string): Promise<BreakerStatus>;
  /** The next scheduled fire time of a source (epoch ms), or null when it is not scheduled. */
  nextFireAt(workspaceId: string, sourceId: string): number | null;
  /** Runs fired and not yet ended, and fires waiting for a slot. */
  stats(): { active: number; pending: number; scheduled: number };
  /** Resolves once nothing is firing or waiting on a run (for tests and shutdown). */
  idle(): Promise<void>;
}

const STATES = 'schedules';
const RUNS = 'runs';

interface Entry {
  entry: ScheduleEntry;
  compiled: CompiledSchedule;
  fingerprint: string;
  next: number | null;
}

interface Watcher {
  workspaceId: string;
  sourceId: string;
  runId: string;
  settle(outcome: 'succeeded' | 'failed' | 'ended', error?: string): void;
}

type FireKind = 'schedule' | 'manual' | 'backfill';

/**
 * Creates a scheduler that pulls sources on an interval (`everyMs`) or a cron expression (UTC), and on
 * demand. Independent of the pipeline's internals: it needs a `trigger` function, the schedules, the
 * bus and the store.
 *
 * - One process fires a given tick: a lease per source in the store (`schedule:<ws>:<source>`).
 * - Runs of one source never overlap: a source with a run in progress (this process's, or a run
 *   document another process left `queued`/`running`) is skipped with `fetch.run.skipped`
 *   (`locked`), and the fetch stage's own lock guards the rest.
 * - At most `concurrency` runs at once (p-limit), across sources.
 * - A circuit breaker per source: after `failureThreshold` failed runs in a row its ticks are skipped
 *   (`fetch.run.skipped`, `circuit_open`) for a cool-down that doubles after each failed trial. A
 *   skipped tick takes no slot, so a failing source never delays the others.
 *
 * Timers go through the clock. A started scheduler keeps its process alive (it always has its next
 * tick or refresh armed); `stop()` clears every timer it holds.
 *
 * @example
 * ```ts
 * const scheduler = createScheduler({
 *   trigger: (ws, src, o) => pipeline.trigger(ws, src, o),
 *   listSchedules: sourceSchedules(pipeline.sources, ['acme']),
 *   bus: pipeline.bus,
 *   storage: pipeline.storage,
 * });
 * await scheduler.start();
 * ```
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const clock = options.clock ?? systemClock;
  const { storage, bus } = options;
  const refreshMs = options.refreshMs ?? 60_000;
  const pollMs = options.pollMs ?? 5_000;
  const runTimeoutMs = options.runTimeoutMs ?? 3_600_000;
  const leaseTtlMs = options.leaseTtlMs ?? 30_000;
  const instanceId = options.instanceId ?? `scheduler-${globalThis.crypto.randomUUID()}`;
  const lockKey = options.lockKey ?? fetchLockKey;
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  const report = (error: unknown, context: { operation: string; workspaceId?: string; sourceId?: string }) => {
    try {
      options.onError?.(toError(error), context);
    } catch {
      // a failing error hook must not stop the scheduler
    }
  };

  const entries = new Map<string, Entry>();
  /** Fingerprints of schedules that failed to compile, by source. */
  const invalid = new Map<string, string>();
  /** Sources with a fire queued or a run in progress here. */
  const busy = new Set<string>();
  const tasks = new Set<Promise<unknown>>();
  const watchers = new Map<string, Watcher>();
  const stateLocks = new Map<string, Promise<unknown>>();
  let timer: TimerHandle | undefined;
  let lastRefresh = -Infinity;
  let started = false;
  let stopped = false;
  let unsubscribe: (() => void)[] = [];

  const keyOf = (workspaceId: string, sourceId: string) => `${workspaceId}/${sourceId}`;
  const iso = (ms: number) => new Date(ms).toISOString();

  // ---------- state (breaker, last run), serialised per source ----------

  const readState = async (workspaceId: string, sourceId: string): Promise<ScheduleState> =>
    (await storage.getDocument<ScheduleState>(STATES, workspaceId, sourceId)) ?? {
      workspaceId,
      sourceId,
      lastRunId: null,
      lastFiredAt: null,
      ...toStored(closedBreaker()),
      lastError: null,
    };

  const updateState = (workspaceId: string, sourceId: string, change: (state: ScheduleState) => ScheduleState): Promise<ScheduleState> => {
    const key = keyOf(workspaceId, sourceId);
    const previous = stateLocks.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const updated = change(await readState(workspaceId, sourceId));
        await storage.putDocument(STATES, workspaceId, sourceId, updated);
        return updated;
      });
    stateLocks.set(key, next);
    void next.finally(() => {
      if (stateLocks.get(key) === next) stateLocks.delete(key);
    }).catch(() => undefined);
    return next;
  };

  const statusOf = (state: ScheduleState): BreakerStatus => breakerStatus(fromStored(state), clock.now());

  const recordOutcome = async (workspaceId: string, sourceId: string, outcome: 'succeeded' | 'failed', error?: string) => {
    await updateState(workspaceId, sourceId, (state) => {
      const breaker = outcome === 'succeeded' ? breakerAfterSuccess() : breakerAfterFailure(fromStored(state), clock.now(), options.circuitBreaker);
      return { ...state, ...toStored(breaker), lastError: outcome === 'failed' ? (error ?? 'run failed') : state.lastError };
    }).catch((e: unknown) => report(e, { operation: 'record-outcome', workspaceId, sourceId }));
  };

  // ---------- watching runs end ----------

  const listen = () => {
    if (unsubscribe.length > 0) return;
    unsubscribe = [
      bus.on('fetch.run.completed', (e) => watchers.get(e.runId)?.settle('succeeded')),
      bus.on('fetch.run.failed', (e) => watchers.get(e.runId)?.settle('failed', e.error.message)),
      // Skips carry no run id: re-read the documents of this source's runs.
      bus.on('fetch.run.skipped', (e) => {
        for (const w of watchers.values()) if (w.workspaceId === e.workspaceId && w.sourceId === e.sourceId) void checkRun(w);
      }),
    ];
  };

  const checkRun = async (w: Watcher) => {
    try {
      const run = await storage.getDocument<RunRecord>(RUNS, w.workspaceId, w.runId);
      if (run?.status === 'succeeded') w.settle('succeeded');
      else if (run?.status === 'failed') w.settle('failed', run.error ?? undefined);
      else if (run?.status === 'skipped') w.settle('ended');
    } catch (error) {
      report(error, { operation: 'poll-run', workspaceId: w.workspaceId, sourceId: w.sourceId });
    }
  };

  /** Resolves when the run ends (events, or its document when another process runs it), or times out. */
  const watchRun = (workspaceId: string, sourceId: string, runId: string): Promise<void> =>
    new Promise<void>((resolve) => {
      let poll: TimerHandle | undefined;
      let done = false;
      const deadline = clock.setTimeout(() => w.settle('ended'), runTimeoutMs);
      const w: Watcher = {
        workspaceId,
        sourceId,
        runId,
        settle(outcome, error) {
          if (done) return;
          done = true;
          watchers.delete(runId);
          clock.clearTimeout(deadline);
          if (poll !== undefined) clock.clearTimeout(poll);
          // A run that ended without a verdict (skipped, timed out, scheduler stopped) says nothing about the source's health.
          const recorded = outcome === 'ended' ? Promise.resolve() : recordOutcome(workspaceId, sourceId, outcome, error);
          void recorded.then(resolve);
        },
      };
      watchers.set(runId, w);
      // A run executed in this process may have ended before the watcher existed: look once now.
      void checkRun(w);
      const schedulePoll = () => {
        poll = clock.setTimeout(async () => {
          await checkRun(w);
          if (!done) schedulePoll();
        }, pollMs);
      };
      schedulePoll();
    });

  // ---------- firing ----------

  const track = <T>(promise: Promise<T>): Promise<T> => {
    tasks.add(promise);
    void promise.finally(() => tasks.delete(promise)).catch(() => undefined);
    return promise;
  };

  const skipped = (workspaceId: string, sourceId: string, reason: 'circuit_open' | 'locked') => bus.emit('fetch.run.skipped', { workspaceId, sourceId, reason });

  /** True when the source's last fired run is still queued or running (and not stale). */
  const runInProgress = async (state: ScheduleState): Promise<boolean> => {
    if (!state.lastRunId) return false;
    const run = await storage.getDocument<RunRecord>(RUNS, state.workspaceId, state.lastRunId);
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return false;
    const since = Date.parse(run.startedAt ?? run.requestedAt);
    return !(clock.now() - since > runTimeoutMs);
  };

  const fire = async (workspaceId: string, sourceId: string, kind: FireKind, checkpoint: unknown): Promise<FireResult> => {
    if (stopped) return { status: 'skipped', reason: 'stopped' };
    const state = await readState(workspaceId, sourceId);
    if (kind === 'schedule' && statusOf(state) === 'open') {
      skipped(workspaceId, sourceId, 'circuit_open');
      return { status: 'skipped', reason: 'circuit_open' };
    }
    if (await runInProgress(state)) {
      skipped(workspaceId, sourceId, 'locked');
      return { status: 'skipped', reason: 'running' };
    }
    if (kind === 'backfill') {
      // Reset under the run lock: a run in progress would save its own checkpoint over ours.
      const owner = `backfill:${instanceId}`;
      const lease = await storage.acquireLock(lockKey(workspaceId, sourceId), owner, 60_000);
      if (!lease) {
        skipped(workspaceId, sourceId, 'locked');
        return { status: 'skipped', reason: 'running' };
      }
      try {
        await storage.setCheckpoint(workspaceId, sourceId, checkpoint);
      } finally {
        await storage.releaseLock(lockKey(workspaceId, sourceId), owner).catch(() => undefined);
      }
    }
    let runId: string;
    try {
      ({ runId } = await options.trigger(workspaceId, sourceId, { trigger: kind }));
    } catch (thrown) {
      const error = toError(thrown);
      report(error, { operation: 'trigger', workspaceId, sourceId });
      await recordOutcome(workspaceId, sourceId, 'failed', error.message);
      return { status: 'failed', error };
    }
    await updateState(workspaceId, sourceId, (s) => ({ ...s, lastRunId: runId, lastFiredAt: iso(clock.now()) })).catch((e: unknown) =>
      report(e, { operation: 'save-state', workspaceId, sourceId }),
    );
    return { status: 'triggered', runId };
  };

  /** Queues a fire under the concurrency limit; resolves once the run is queued (or was not). */
  const enqueue = (workspaceId: string, sourceId: string, kind: FireKind, checkpoint: unknown = null): Promise<FireResult> => {
    const key = keyOf(workspaceId, sourceId);
    if (stopped) return Promise.resolve({ status: 'skipped', reason: 'stopped' });
    if (busy.has(key)) {
      skipped(workspaceId, sourceId, 'locked');
      return Promise.resolve({ status: 'skipped', reason: 'running' });
    }
    busy.add(key);
    listen();
    let resolveFire!: (result: FireResult) => void;
    const fired = new Promise<FireResult>((resolve) => (resolveFire = resolve));
    void track(
      limit(async () => {
        try {
          const result = await fire(workspaceId, sourceId, kind, checkpoint);
          resolveFire(result);
          // The slot is held until the run ends: that is what bounds runs in progress.
          if (result.status === 'triggered') await watchRun(workspaceId, sourceId, result.runId);
        } catch (error) {
          report(error, { operation: 'fire', workspaceId, sourceId });
          resolveFire({ status: 'failed', error: toError(error) });
        } finally {
          busy.delete(key);
        }
      }),
    );
    return fired;
  };

  /** A scheduled tick: the lease and the breaker are checked before taking a place in the queue. */
  const tick = async (item: Entry) => {
    const { workspaceId, sourceId } = item.entry;
    try {
      const lease = await storage.acquireLock(`schedule:${workspaceId}:${sourceId}`, instanceId, leaseTtlMs);
      if (!lease) return;
      const state = await readState(workspaceId, sourceId);
      if (statusOf(state) === 'open') {
        skipped(workspaceId, sourceId, 'circuit_open');
        return;
      }
      await enqueue(workspaceId, sourceId, 'schedule');
    } catch (error) {
      report(error, { operation: 'tick', workspaceId, sourceId });
    }
  };

  // ---------- the timer ----------

  const arm = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    if (stopped || !started) return;
    let at = lastRefresh + refreshMs;
    for (const item of entries.values()) if (item.next !== null && item.next < at) at = item.next;
    timer = clock.setTimeout(onTimer, Math.max(0, at - clock.now()));
  };

  const onTimer = () => {
    timer = undefined;
    if (stopped) return;
    const now = clock.now();
    // Due ticks fire once even if several were missed (a paused process does not replay a backlog).
    for (const item of entries.values()) {
      if (item.next === null || item.next > now) continue;
      void track(tick(item));
      item.next = item.compiled.next(now);
    }
    if (now >= lastRefresh + refreshMs) {
      void track(refresh().finally(arm));
    } else {
      arm();
    }
  };

  const refresh = async () => {
    // Whatever happens, the next refresh is one period away; a failing listSchedules keeps the old list.
    lastRefresh = clock.now();
    let list: readonly ScheduleEntry[];
    try {
      list = await options.listSchedules();
    } catch (error) {
      report(error, { operation: 'list-schedules' });
      return;
    }
    const now = clock.now();
    const seen = new Set<string>();
    for (const entry of list) {
      const key = keyOf(entry.workspaceId, entry.sourceId);
      const fingerprint = JSON.stringify([entry.schedule.everyMs ?? null, entry.schedule.cron ?? null]);
      seen.add(key);
      const current = entries.get(key);
      if (current && current.fingerprint === fingerprint) {
        current.entry = entry;
        continue;
      }
      try {
        const compiled = compileSchedule(entry.schedule, { key, spread: options.spreadIntervals ?? true });
        entries.set(key, { entry, compiled, fingerprint, next: compiled.next(now) });
        invalid.delete(key);
      } catch (error) {
        entries.delete(key);
        // Once per bad schedule, not at every refresh.
        if (invalid.get(key) !== fingerprint) report(error, { operation: 'compile-schedule', workspaceId: entry.workspaceId, sourceId: entry.sourceId });
        invalid.set(key, fingerprint);
      }
    }
    for (const key of entries.keys()) if (!seen.has(key)) entries.delete(key);
    for (const key of invalid.keys()) if (!seen.has(key)) invalid.delete(key);
  };

  return {
    async start() {
      if (started) throw createError('scheduler', 'conflict', 'scheduler already started');
      started = true;
      stopped = false;
      listen();
      await refresh();
      arm();
    },

    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      for (const w of [...watchers.values()]) w.settle('ended');
      await Promise.allSettled([...tasks]);
      for (const off of unsubscribe) off();
      unsubscribe = [];
      started = false;
    },

    async refresh() {
      await refresh();
      arm();
    },

    triggerNow(workspaceId, sourceId) {
      return enqueue(workspaceId, sourceId, 'manual');
    },

    async backfill(workspaceId, sourceId, o = {}) {
      let checkpoint: unknown = null;
      if (o.checkpoint !== undefined) checkpoint = o.checkpoint;
      else if (o.from !== undefined) {
        const from = new Date(o.from);
        if (Number.isNaN(from.getTime())) throw createError('scheduler', 'validation', `backfill: invalid start date ${JSON.stringify(o.from)}`);
        if (!options.backfillCheckpoint) {
          throw createError('scheduler', 'config', 'backfill from a date needs the backfillCheckpoint option (it knows the connector’s checkpoint shape); or pass checkpoint, or set the start in the source’s config and backfill without from');
        }
        checkpoint = await options.backfillCheckpoint({ workspaceId, sourceId, from: from.toISOString() });
      }
      return enqueue(workspaceId, sourceId, 'backfill', checkpoint);
    },

    async getState(workspaceId, sourceId) {
      return storage.getDocument<ScheduleState>(STATES, workspaceId, sourceId);
    },

    async breaker(workspaceId, sourceId) {
      return statusOf(await readState(workspaceId, sourceId));
    },

    nextFireAt(workspaceId, sourceId) {
      return entries.get(keyOf(workspaceId, sourceId))?.next ?? null;
    },

    stats() {
      return { active: limit.activeCount, pending: limit.pendingCount, scheduled: entries.size };
    },

    async idle() {
      while (tasks.size > 0) await Promise.allSettled([...tasks]);
    },
  };
}

function toStored(state: { failures: number; opens: number; openUntil: number | null }) {
  return { failures: state.failures, opens: state.opens, openUntil: state.openUntil === null ? null : new Date(state.openUntil).toISOString() };
}

function fromStored(state: ScheduleState) {
  return { failures: state.failures, opens: state.opens, openUntil: state.openUntil === null ? null : Date.parse(state.openUntil) };
}

/**
 * Builds `listSchedules` from a source registry (`pipeline.sources`) and the workspaces to schedule:
 * every enabled source that has a schedule.
 */
export function sourceSchedules(
  sources: { list(workspaceId: string): Promise<readonly { id: string; workspaceId: string; enabled: boolean; schedule: SourceSchedule | null }[]> },
  workspaceIds: readonly string[] | (() => Promise<readonly string[]>),
): () => Promise<ScheduleEntry[]> {
  return async () => {
    const ids = typeof workspaceIds === 'function' ? await workspaceIds() : workspaceIds;
    const lists = await Promise.all(ids.map((ws) => sources.list(ws)));
    return lists.flat().flatMap((s) => (s.enabled && s.schedule ? [{ workspaceId: s.workspaceId, sourceId: s.id, schedule: s.schedule }] : []));
  };
}
