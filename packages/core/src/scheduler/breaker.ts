/** Options of the per-source circuit breaker. */
export interface CircuitBreakerOptions {
  /** Consecutive failed runs that open the circuit. @default 5 */
  failureThreshold?: number;
  /** How long the circuit stays open the first time; it doubles each time a trial run fails. @default 60000 */
  cooldownMs?: number;
  /** Longest cool-down. @default 3600000 (1 hour) */
  maxCooldownMs?: number;
}

/** The breaker's memory of one source. */
export interface BreakerState {
  /** Failed runs in a row. */
  failures: number;
  /** Times the circuit opened in a row (drives the cool-down's growth). */
  opens: number;
  /** Until when runs are skipped (epoch ms); past it, one trial run is let through. Null when closed. */
  openUntil: number | null;
}

/** `closed`: runs go ahead. `open`: runs are skipped. `half-open`: the cool-down is over; the next run is the trial. */
export type BreakerStatus = 'closed' | 'open' | 'half-open';

/** A closed breaker. */
export const closedBreaker = (): BreakerState => ({ failures: 0, opens: 0, openUntil: null });

/** Where the breaker stands at `now`. */
export function breakerStatus(state: BreakerState, now: number): BreakerStatus {
  if (state.openUntil === null) return 'closed';
  return now < state.openUntil ? 'open' : 'half-open';
}

/** After a failed run: opens once the threshold is reached, and again (longer) when a trial fails. */
export function breakerAfterFailure(state: BreakerState, now: number, options: CircuitBreakerOptions = {}): BreakerState {
  const threshold = Math.max(1, options.failureThreshold ?? 5);
  const cooldown = options.cooldownMs ?? 60_000;
  const maxCooldown = options.maxCooldownMs ?? 3_600_000;
  const failures = state.failures + 1;
  const trialFailed = breakerStatus(state, now) === 'half-open';
  if (!trialFailed && failures < threshold) return { ...state, failures };
  const opens = state.opens + 1;
  return { failures, opens, openUntil: now + Math.min(maxCooldown, cooldown * 2 ** (opens - 1)) };
}

/** After a successful run: closed, counters reset. */
export function breakerAfterSuccess(): BreakerState {
  return closedBreaker();
}
