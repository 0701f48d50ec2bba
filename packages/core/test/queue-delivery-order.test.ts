import { describe, expect, it } from 'vitest';
import { createDeliveryOrder } from '../src/queue/index.js';

interface Entry {
  id: string;
  availableAt: number;
  lease?: { until: number } | undefined;
}

/** A group as the queues keep one: a Map of entries (the truth) and its delivery order. */
function group() {
  const entries = new Map<string, Entry>();
  let memberChecks = 0;
  const order = createDeliveryOrder<Entry>((e) => {
    memberChecks++;
    return entries.get(e.id) === e;
  });
  const add = (id: string, availableAt: number, now: number) => {
    const entry: Entry = { id, availableAt };
    entries.set(id, entry);
    order.add(entry, now);
    return entry;
  };
  /** Takes every entry deliverable at `now`, leasing each until `now + leaseMs`. */
  const takeAll = (now: number, leaseMs = 1000) => {
    const out: string[] = [];
    for (let e = order.next(now); e; e = order.next(now)) {
      e.lease = { until: now + leaseMs };
      order.reschedule(e, now);
      out.push(e.id);
    }
    return out;
  };
  return { entries, order, add, takeAll, memberChecks: () => memberChecks };
}

describe('delivery order', () => {
  it('gives ready entries in the order added, and a delayed one only once it is due', () => {
    const g = group();
    g.add('a', 0, 0);
    g.add('delayed', 500, 0);
    g.add('b', 0, 0);
    expect(g.order.nextDueAt(0)).toBe(500);
    expect(g.takeAll(0)).toEqual(['a', 'b']);
    expect(g.takeAll(499)).toEqual([]);
    expect(g.takeAll(500)).toEqual(['delayed']);
  });

  it('holds a leased entry until its lease lapses, then gives it ahead of entries added since', () => {
    const g = group();
    g.add('first', 0, 0);
    expect(g.takeAll(0, 1000)).toEqual(['first']);
    g.add('later', 0, 10);
    expect(g.order.nextDueAt(10)).toBe(1000);
    // `later` was ready at 10 and was never taken, but the lapsed lease is the older work.
    expect(g.takeAll(1000)).toEqual(['first', 'later']);
  });

  it('drops entries the group no longer holds, from the ready queue and from the heap', () => {
    const g = group();
    g.add('acked', 0, 0);
    g.add('kept', 0, 0);
    g.add('gone-before-due', 300, 0);
    expect(g.takeAll(0, 1000)).toEqual(['acked', 'kept']);
    g.entries.delete('acked');
    g.entries.delete('gone-before-due');
    // The acknowledged entry's lease and the removed delayed entry are no due times any more.
    expect(g.order.nextDueAt(0)).toBe(1000);
    g.entries.get('kept')!.lease = undefined;
    g.order.reschedule(g.entries.get('kept')!, 5);
    expect(g.takeAll(5)).toEqual(['kept']);
    g.entries.delete('kept');
    expect(g.order.nextDueAt(5)).toBeUndefined();
    expect(g.order.size).toBe(0);
  });

  it('a retry is due at its new time, not at the lease it replaced', () => {
    const g = group();
    const entry = g.add('m', 0, 0);
    expect(g.takeAll(0, 1000)).toEqual(['m']);
    // The handler failed at 10: the lease goes, the retry waits until 5000.
    entry.lease = undefined;
    entry.availableAt = 5000;
    g.order.reschedule(entry, 10);
    expect(g.order.nextDueAt(10)).toBe(5000);
    expect(g.takeAll(1000)).toEqual([]);
    expect(g.takeAll(5000)).toEqual(['m']);
  });

  it('never gives the same entry twice while it is leased, however often it was rescheduled', () => {
    const g = group();
    const entry = g.add('m', 0, 0);
    g.order.reschedule(entry, 0);
    g.order.reschedule(entry, 0);
    expect(g.takeAll(0, 1000)).toEqual(['m']);
    expect(g.takeAll(999)).toEqual([]);
    expect(g.takeAll(1000)).toEqual(['m']);
  });

  it('does not keep acknowledged messages alive through their leases: the heap is swept as it grows', () => {
    const g = group();
    for (let i = 0; i < 20_000; i++) g.add(`m${i}`, 0, 0);
    // Each is delivered with a lease of an hour and acknowledged at once: every lease is a leftover.
    for (let e = g.order.next(1); e; e = g.order.next(1)) {
      e.lease = { until: 3_600_000 };
      g.order.reschedule(e, 1);
      g.entries.delete(e.id);
    }
    expect(g.entries.size).toBe(0);
    // Without the sweep the heap would hold all 20,000 (and their messages) for the hour.
    expect(g.order.size).toBeLessThan(1024);
    // A lease still current survives the sweeps.
    const kept = g.add('kept', 0, 1);
    expect(g.takeAll(1, 5000)).toEqual(['kept']);
    for (let i = 0; i < 5000; i++) {
      const e = g.add(`n${i}`, 0, 2);
      expect(g.order.next(2)).toBe(e);
      e.lease = { until: 3_600_000 };
      g.order.reschedule(e, 2);
      g.entries.delete(e.id);
    }
    expect(g.order.nextDueAt(2)).toBe(5001);
    expect(g.takeAll(5001)).toEqual([kept.id]);
  });

  it('the work per delivery does not grow with the backlog: draining 50,000 entries checks each about once', () => {
    const g = group();
    const n = 50_000;
    for (let i = 0; i < n; i++) g.add(`m${i}`, 0, 0);
    let delivered = 0;
    for (let e = g.order.next(1); e; e = g.order.next(1)) {
      // Acknowledged at once, as a fast consumer does.
      g.entries.delete(e.id);
      delivered++;
    }
    expect(delivered).toBe(n);
    expect(g.memberChecks()).toBe(n);
    expect(g.order.size).toBe(0);
  });
});
