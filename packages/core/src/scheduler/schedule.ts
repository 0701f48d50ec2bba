import { createError } from '../errors/index.js';
import type { SourceSchedule } from '../pipeline/types.js';
import { parseCron, type CronExpression } from './cron.js';

/** A validated schedule, ready to compute fire times. */
export interface CompiledSchedule {
  readonly schedule: SourceSchedule;
  /** The first fire time strictly after `after`, or null if it never fires again. */
  next(after: number): number | null;
}

/** Options of {@link compileSchedule}. */
export interface CompileScheduleOptions {
  /**
   * Spreads interval schedules over their interval by a stable hash of `key`, so a thousand sources
   * "every hour" do not all fire at the top of the hour. Every process computes the same times.
   * @default true
   */
  spread?: boolean;
  /** What the spread is derived from (the scheduler uses `workspaceId/sourceId`). @default '' */
  key?: string;
}

/**
 * Validates a source schedule — `everyMs` (a positive interval), `cron`, or both (it then fires at
 * the ticks of either) — and compiles it. Interval ticks are aligned to the epoch (plus the spread),
 * not to when a process started, so processes sharing a store agree on them.
 * @throws `validation`
 */
export function compileSchedule(schedule: SourceSchedule, options: CompileScheduleOptions = {}): CompiledSchedule {
  const hasInterval = schedule.everyMs !== undefined && schedule.everyMs !== null;
  const hasCron = schedule.cron !== undefined && schedule.cron !== null && schedule.cron !== '';
  if (!hasInterval && !hasCron) {
    throw createError('scheduler', 'validation', 'a schedule needs everyMs or cron', { issues: [{ path: 'schedule', message: 'set everyMs or cron' }] });
  }
  let interval: ((after: number) => number) | undefined;
  if (hasInterval) {
    const every = schedule.everyMs!;
    if (!Number.isFinite(every) || every < 1) {
      throw createError('scheduler', 'validation', `everyMs must be a positive number of milliseconds, got ${every}`, { issues: [{ path: 'schedule.everyMs', message: 'must be positive' }] });
    }
    const offset = options.spread === false ? 0 : hash(options.key ?? '') % Math.floor(every);
    interval = (after) => (Math.floor((after - offset) / every) + 1) * every + offset;
  }
  const cron: CronExpression | undefined = hasCron ? parseCron(schedule.cron!) : undefined;
  return {
    schedule,
    next: (after) => {
      const a = interval?.(after) ?? null;
      const b = cron?.next(after) ?? null;
      if (a === null) return b;
      return b === null ? a : Math.min(a, b);
    },
  };
}

/** 32-bit FNV-1a: a stable, well-spread hash for the interval offset. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
