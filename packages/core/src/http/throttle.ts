import Bottleneck from 'bottleneck';
import type { Clock, TimerHandle } from '../clock/index.js';
import type { RateBudget } from '../connector/index.js';
import { createError } from '../errors/index.js';

/** Hands back the slot taken by {@link SourceGate.acquire}. `sent` is false when no request went out. */
export type ReleaseSlot = (sent: boolean) => void;

const DEFAULT_CONCURRENCY = 4;

/**
 * Validates a declared budget; a bad one is a configuration mistake, not something to throttle around.
 * @throws `config`
 */
export function checkBudget(budget: RateBudget, where: string): Required<RateBudget> {
  const concurrency = budget.concurrency ?? DEFAULT_CONCURRENCY;
  const ok =
    Number.isInteger(budget.requests) && budget.requests >= 1 && Number.isFinite(budget.perMs) && budget.perMs > 0 && Number.isInteger(concurrency) && concurrency >= 1;
  if (!ok) throw createError('http', 'config', `invalid rate budget for ${where}: ${JSON.stringify(budget)} (requests and concurrency must be integers ≥ 1, perMs > 0)`);
  return { requests: budget.requests, perMs: budget.perMs, concurrency };
}

/** A stable key of a budget, to notice when a source's declared budget changes. */
export const budgetKey = (budget: RateBudget | undefined) =>
  budget ? `${budget.requests}/${budget.perMs}/${budget.concurrency ?? DEFAULT_CONCURRENCY}` : 'none';

/**
 * Admission control for one source: its rate budget, its concurrency, and a pause a provider imposed
 * (Retry-After, an exhausted GitHub budget).
 *
 * The budget is a sliding window kept in bottleneck's reservoir: every request takes a token, and the
 * token is due back `perMs` after that request's response arrived. bottleneck's own
 * `reservoirRefreshInterval` is a fixed window — it lets `2 × requests` through across a window edge,
 * which a provider counting a sliding window (Discourse does) answers with 429 — and it runs a
 * heartbeat interval for as long as the limiter lives. Timing every token from its response instead
 * means the provider has seen the request before its window starts, so no `perMs` window at the
 * provider ever holds more than `requests`, whatever the latency.
 *
 * Tokens due back are handed to the reservoir lazily: at the next request, or by a single timer that
 * exists only while a request is waiting for one. An idle gate therefore holds no timer, and nothing
 * keeps the process alive once the last request is answered.
 */
export class SourceGate {
  readonly budgetKey: string;
  private readonly limiter: Bottleneck | undefined;
  private readonly perMs: number;
  private pausedUntil = 0;
  /** Slots asked for and not yet released (queued, waiting for a pause, or in flight). */
  private active = 0;
  /** Requests queued in the limiter, not yet started. */
  private waiting = 0;
  /** When each spent token is due back in the reservoir (epoch ms), ascending. */
  private due: number[] = [];
  private refill: TimerHandle | undefined;
  private disposed = false;
  /** Ends pause waits when the gate is disposed. */
  private readonly disposal = new AbortController();

  constructor(
    readonly key: string,
    budget: RateBudget | undefined,
    private readonly clock: Clock,
  ) {
    this.budgetKey = budgetKey(budget);
    if (budget) {
      const checked = checkBudget(budget, key);
      this.perMs = checked.perMs;
      this.limiter = new Bottleneck({ id: `tributary:${key}`, maxConcurrent: checked.concurrency, reservoir: checked.requests });
    } else {
      this.perMs = 0;
    }
  }

  /** Holds later requests of this source until `until` (epoch ms); a later pause wins over an earlier one. */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  /** True when forgetting this gate loses nothing: no slot taken, every token back, no pause pending. */
  idle(): boolean {
    const now = this.clock.now();
    return this.active === 0 && this.due.every((at) => at <= now) && this.pausedUntil <= now;
  }

  /**
   * Waits for a slot under the budget and for any pause to end. Resolves with the function that
   * releases it once the response headers arrived (or the request failed).
   */
  async acquire(signal: AbortSignal | undefined): Promise<ReleaseSlot> {
    if (this.disposed) throw disposedError();
    this.active++;
    let release: ReleaseSlot;
    try {
      release = this.limiter ? await this.takeToken(signal) : () => undefined;
    } catch (error) {
      this.active--;
      throw error;
    }
    let released = false;
    const once: ReleaseSlot = (sent) => {
      if (released) return;
      released = true;
      this.active--;
      release(sent);
    };
    try {
      // Waiting here, slot in hand, keeps requests queued behind a pause in their original order.
      for (let wait = this.pausedUntil - this.clock.now(); wait > 0; wait = this.pausedUntil - this.clock.now()) {
        await this.clock.sleep(wait, signal ? AbortSignal.any([signal, this.disposal.signal]) : this.disposal.signal);
      }
      if (this.disposed) throw disposedError();
    } catch (error) {
      once(false);
      throw error;
    }
    return once;
  }

  /** Stops the limiter and its timer: queued requests and pause waits fail with `aborted`. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.refill !== undefined) this.clock.clearTimeout(this.refill);
    this.refill = undefined;
    this.disposal.abort(disposedError());
    // Not awaited: bottleneck's stop() waits for executing jobs, and a request in flight holds its job
    // until its response arrives; queued ones are dropped at once, which is what matters.
    void this.limiter?.stop({ dropWaitingJobs: true, dropErrorMessage: 'rate limiter disposed' }).catch(() => undefined);
  }

  private takeToken(signal: AbortSignal | undefined): Promise<ReleaseSlot> {
    const limiter = this.limiter!;
    this.refillDue();
    return new Promise<ReleaseSlot>((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        reject(signal?.reason);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting++;
      limiter
        .schedule(
          () =>
            // The job stays "running" until the slot is released, so maxConcurrent counts requests in flight.
            new Promise<void>((finishJob) => {
              this.waiting--;
              if (this.waiting === 0 && this.refill !== undefined) {
                // Nobody waits any more: due tokens are picked up lazily by the next request.
                this.clock.clearTimeout(this.refill);
                this.refill = undefined;
              }
              if (settled) {
                // Aborted while queued: nothing was sent, so the token goes straight back.
                finishJob();
                this.giveBack(0);
                return;
              }
              settled = true;
              signal?.removeEventListener('abort', onAbort);
              resolve((sent) => {
                finishJob();
                this.giveBack(sent ? this.perMs : 0);
              });
            }),
        )
        .catch((error: unknown) => {
          this.waiting = Math.max(0, this.waiting - 1);
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          reject(this.disposed ? disposedError() : error);
        });
      this.armRefill();
    });
  }

  /** Schedules a spent token's return `afterMs` from now. */
  private giveBack(afterMs: number): void {
    if (afterMs <= 0) {
      if (!this.disposed) this.limiter?.incrementReservoir(1).catch(() => undefined);
      return;
    }
    const at = this.clock.now() + afterMs;
    // Releases come in time order, so appending keeps `due` sorted (equal perMs for all tokens).
    this.due.push(at);
    this.armRefill();
  }

  /** Moves every token that is due back into the reservoir. */
  private refillDue(): void {
    const now = this.clock.now();
    let n = 0;
    while (n < this.due.length && this.due[n]! <= now) n++;
    if (n === 0 || this.disposed) return;
    this.due = this.due.slice(n);
    this.limiter?.incrementReservoir(n).catch(() => undefined);
  }

  /** One timer, only while a request waits and a token is on its way back. */
  private armRefill(): void {
    if (this.refill !== undefined || this.disposed || this.waiting === 0 || this.due.length === 0) return;
    this.refill = this.clock.setTimeout(() => {
      this.refill = undefined;
      this.refillDue();
      this.armRefill();
    }, this.due[0]! - this.clock.now());
  }
}

function disposedError() {
  return createError('http', 'aborted', 'the HTTP client was disposed');
}
