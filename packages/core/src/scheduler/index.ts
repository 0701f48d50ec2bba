/**
 * @module @tributary/core/scheduler
 * Pulls sources on a schedule — an interval (`everyMs`) or a five-field cron expression in UTC — and
 * on demand (`triggerNow`, `backfill`). Runs of one source never overlap, across processes sharing a
 * store; a concurrency limit holds across sources; a circuit breaker per source backs a failing source
 * off without delaying the others. Time goes through an injectable clock.
 */
export {
  createScheduler,
  sourceSchedules,
  type BackfillOptions,
  type FireResult,
  type ScheduleEntry,
  type ScheduleState,
  type Scheduler,
  type SchedulerOptions,
  type TriggerFunction,
} from './scheduler.js';
export { parseCron, type CronExpression } from './cron.js';
export { compileSchedule, type CompiledSchedule, type CompileScheduleOptions } from './schedule.js';
export {
  breakerAfterFailure,
  breakerAfterSuccess,
  breakerStatus,
  closedBreaker,
  type BreakerState,
  type BreakerStatus,
  type CircuitBreakerOptions,
} from './breaker.js';
