// The lease of a message while its handler runs. A broker gives a delivery to another consumer once it
// stays unacknowledged past the visibility timeout, because it presumes the consumer dead. A consumer
// that is alive and merely slow must not lose its message that way (reliability bug 6: every attempt did
// the work, and the message was still dead-lettered), so the lease is renewed while the handler runs.
// Renewal stops at `maxProcessingMs`, so a handler that is stuck for good still lets the message go.
//
// This runs once per message, so the common case (a handler that returns within a third of its lease)
// must cost next to nothing: no timer, no closure and no hashed entry per message (issue 5 measured each
// of them at 0.25–2 µs a message, more than the rest of the adapter's own work).
import { systemClock, type Clock, type TimerHandle } from '@tributary/core/clock';
import { createError } from '@tributary/core/errors';

/**
 * Settings of a consumer's {@link LeaseKeeper}. `T` is what the consumer hands to {@link LeaseKeeper.hold}
 * for each message (the delivery, or a small record of it): the callbacks are given once, here, and
 * receive it, so holding a lease allocates no closure per message.
 */
export interface LeaseKeeperOptions<T = void> {
  /** How long one lease lasts without renewal (the consumer's `visibilityTimeoutMs`). */
  visibilityTimeoutMs: number;
  /**
   * How long a running handler may keep its message in all. Renewals stop once one more would reach
   * past this bound. Not above `visibilityTimeoutMs`: never renewed.
   */
  maxProcessingMs: number;
  /**
   * Restarts the broker's lease of a message (NATS `working()`, an idle-resetting XCLAIM on Redis).
   * Resolving to `false` means the broker no longer holds the message for us: the lease is lost. Absent,
   * leases are kept by the adapter alone (brokers with no visibility timeout of their own) and last the
   * whole `maxProcessingMs`.
   */
  renew?: (ref: T) => boolean | void | Promise<boolean | void>;
  /** Called once for a lease that ends before {@link Lease.stop}: the message now belongs to another delivery. */
  onExpired?: (ref: T) => void;
  /** Receives a renewal that failed; the lease then runs out at its current end unless a later one succeeds. */
  onError?: (error: unknown) => void;
  /** @default systemClock */
  clock?: Clock;
}

/** A lease being held. */
export interface Lease {
  /** True once the lease ran out (or was lost) before {@link stop}. */
  readonly expired: boolean;
  /** Stops renewing; the caller settles the message now. */
  stop(): void;
}

/** How often a held lease is renewed: a third of the lease, so two renewals may be lost before it ends. */
export function renewIntervalMs(visibilityTimeoutMs: number): number {
  return Math.max(10, Math.floor(visibilityTimeoutMs / 3));
}

/**
 * One held lease, linked into its keeper's list. A class with its method on the prototype, and a list
 * rather than a Set: an object literal with a getter (about 0.9 µs to create) or a Set keyed by a fresh
 * object (its identity hash, about 0.3 µs) cost more per message than the rest of the lease.
 */
class HeldLease<T> implements Lease {
  prev: HeldLease<T> | undefined = undefined;
  next: HeldLease<T> | undefined = undefined;
  expired = false;
  stopped = false;

  constructor(
    private readonly keeper: LeaseKeeper<T>,
    readonly ref: T,
    /** When the handler started: the list is in this order, oldest first. */
    readonly startedAt: number,
    /** The latest moment a renewed lease may end: counted from when the handler started. */
    readonly holdUntil: number,
    /** When the current lease ends unless renewed. */
    public end: number,
    /** When the broker's lease last (re)started. */
    public renewedAt: number,
  ) {}

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.keeper.release(this);
  }
}

/**
 * Holds the leases of one consumer's running handlers. One timer serves them all, and runs only while
 * some lease is live: a timer per message cost more than the rest of the consumer's work at tens of
 * thousands of messages a second. The timer ticks every third of the lease, at most every second, so a
 * lease is noticed as ended at most one tick late. A handler that returns within a third of its lease
 * costs one small object, linked in and out of a list, and is never renewed.
 */
export class LeaseKeeper<T = void> {
  private readonly clock: Clock;
  private readonly V: number;
  private readonly every: number;
  private readonly tickMs: number;
  private readonly maxHoldMs: number;
  // Held leases in the order their handlers started. An expired one stays until it is stopped, since
  // its handler still runs (see oldestStart).
  private head: HeldLease<T> | undefined;
  private tail: HeldLease<T> | undefined;
  /** Held leases not expired: the timer runs while there are any. */
  private live = 0;
  private timer: TimerHandle | undefined;
  private readonly onTick = () => this.tick();

  constructor(private readonly options: LeaseKeeperOptions<T>) {
    this.clock = options.clock ?? systemClock;
    this.V = options.visibilityTimeoutMs;
    this.every = renewIntervalMs(this.V);
    this.tickMs = Math.min(this.every, 1000);
    this.maxHoldMs = Math.max(this.V, options.maxProcessingMs);
  }

  /**
   * Starts holding a message's lease while its handler runs. `ref` is handed to the keeper's `renew` and
   * `onExpired`. `leaseFrom` is when the broker's current lease started, for a message received earlier
   * and kept waiting (default: now).
   */
  hold(ref: T, leaseFrom?: number): Lease {
    const now = this.clock.now();
    const from = leaseFrom === undefined ? now : Math.min(now, leaseFrom);
    const holdUntil = now + this.maxHoldMs;
    const renews = this.options.renew !== undefined;
    // Kept by the adapter alone, the lease simply lasts the whole bound: there is no broker to tell.
    const h = new HeldLease(this, ref, now, holdUntil, renews ? from + this.V : holdUntil, from);
    h.prev = this.tail;
    if (this.tail) this.tail.next = h;
    else this.head = h;
    this.tail = h;
    this.live++;
    // a lease already a third old (the message waited before its handler started) is renewed now, as
    // the first tick may come too late for it
    if (renews && now - from >= this.every && now + this.V <= holdUntil) this.renew(h, now);
    this.timer ??= this.clock.setTimeout(this.onTick, this.tickMs);
    return h;
  }

  /**
   * When the longest-running handler that still holds its lease started (an expired lease counts until
   * its handler returns), or undefined when none runs. A consumer whose oldest handler outlived a lease
   * may have a stuck one. O(1): the list is in start order.
   */
  oldestStart(): number | undefined {
    return this.head?.startedAt;
  }

  /** Takes a stopped lease off the list (called by {@link Lease.stop}). */
  release(h: HeldLease<T>): void {
    if (h.prev) h.prev.next = h.next;
    else if (this.head === h) this.head = h.next;
    else return; // no longer listed: the keeper was closed
    if (h.next) h.next.prev = h.prev;
    else this.tail = h.prev;
    h.prev = h.next = undefined;
    if (!h.expired) this.live--;
  }

  private tick(): void {
    this.timer = undefined;
    const now = this.clock.now();
    const renews = this.options.renew !== undefined;
    for (let h = this.head; h; ) {
      // read before the callbacks run: one may stop this lease, which unlinks it
      const next = h.next;
      if (!h.expired) {
        if (now >= h.end) this.expire(h);
        else if (renews && now - h.renewedAt >= this.every && now + this.V <= h.holdUntil) this.renew(h, now);
      }
      h = next;
    }
    if (this.live > 0) this.timer = this.clock.setTimeout(this.onTick, this.tickMs);
  }

  private expire(h: HeldLease<T>): void {
    if (h.stopped || h.expired) return;
    h.expired = true;
    this.live--;
    this.options.onExpired?.(h.ref);
  }

  private renew(h: HeldLease<T>, at: number): void {
    h.renewedAt = at;
    try {
      const result = this.options.renew!(h.ref);
      if (result instanceof Promise) {
        result.then(
          (still) => this.renewed(h, at, still),
          (error) => this.options.onError?.(error),
        );
      } else this.renewed(h, at, result);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private renewed(h: HeldLease<T>, at: number, still: boolean | void): void {
    if (still === false) this.expire(h);
    else if (!h.stopped && !h.expired) h.end = Math.max(h.end, at + this.V);
  }

  /** Stops the timer; leases still held are dropped without expiring (their consumer is closing). */
  close(): void {
    for (let h = this.head; h; ) {
      const next = h.next;
      h.stopped = true;
      h.prev = h.next = undefined;
      h = next;
    }
    this.head = this.tail = undefined;
    this.live = 0;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Leases a handler may run through by default: `maxProcessingMs` is this many visibility timeouts. */
export const DEFAULT_LEASES_PER_HANDLER = 10;

/** The `maxProcessingMs` of a consumer: the adapter's option, or ten of its visibility timeouts. */
export function resolveMaxProcessingMs(option: number | undefined, visibilityTimeoutMs: number): number {
  return option ?? DEFAULT_LEASES_PER_HANDLER * visibilityTimeoutMs;
}

/** Checks a `maxProcessingMs` option: undefined, or a finite number of ms ≥ 0; else a `config` error. */
export function checkMaxProcessingMs(component: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw createError(component, 'config', '`maxProcessingMs` must be a finite number of milliseconds ≥ 0');
  return value;
}
