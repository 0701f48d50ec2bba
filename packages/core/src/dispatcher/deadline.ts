import type { Clock } from '../clock/index.js';

/** A signal that aborts after a delay or with its parent; {@link Deadline.done} unlinks it. */
export interface Deadline {
  signal: AbortSignal;
  /** Clears the timer and removes the listener on the parent. Call it once the guarded work settled. */
  done(): void;
}

/** The controllers linked to each parent signal, aborted together by the parent's one listener. */
const linked = new WeakMap<AbortSignal, Set<AbortController>>();

/**
 * Makes `controller` abort with `parent`; returns the unlink. Each parent gets one listener for its
 * whole life however many deliveries run under it (16 at once per consumer, which would also trip
 * Node's "possible EventTarget memory leak" warning with a listener each); unlinking drops the
 * controller from the set, so nothing per delivery stays reachable from the parent.
 */
function link(parent: AbortSignal, controller: AbortController): () => boolean {
  let children = linked.get(parent);
  if (!children) {
    const set = new Set<AbortController>();
    children = set;
    linked.set(parent, set);
    parent.addEventListener(
      'abort',
      () => {
        for (const child of set) child.abort(parent.reason);
        set.clear();
      },
      { once: true },
    );
  }
  const set = children;
  set.add(controller);
  return () => set.delete(controller);
}

/**
 * A signal that aborts after `ms` on `clock` (reason: a `TimeoutError`), or when `parent` aborts
 * (with the parent's reason).
 *
 * Why not `AbortSignal.any([parent, timeout])`: the parent here is a consumer's signal that lives as
 * long as the process, and on Node 20 a parent keeps every dependent signal made from it — with its
 * listeners, timer and the promises they reach — for as long as it lives: about 2 KB per delivery
 * (known bug 7). Linked by hand and unlinked in `done()`, nothing is left behind.
 */
export function linkedDeadline(clock: Clock, parent: AbortSignal, ms: number): Deadline {
  const controller = new AbortController();
  let unlink: () => boolean = () => false;
  if (parent.aborted) controller.abort(parent.reason);
  else unlink = link(parent, controller);
  const timer = clock.setTimeout(() => controller.abort(Object.assign(new Error(`timed out after ${ms} ms`), { name: 'TimeoutError' })), ms);
  return {
    signal: controller.signal,
    done() {
      clock.clearTimeout(timer);
      unlink();
    },
  };
}
