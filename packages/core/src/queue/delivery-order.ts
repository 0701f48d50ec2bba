// The delivery order of one consumer group in an in-process queue (the memory queue, the file queue).
//
// Both queues used to find the next message by iterating the group's Map of entries from its start,
// and the next due time by scanning all of it. Both are linear in the backlog, and the first is
// worse than it looks: a Map keeps a deleted entry's slot as a hole until the table is rebuilt,
// and every new iterator walks the holes at its front. Draining a backlog acknowledges (deletes)
// from the front, so each delivery walked every hole left by the ones before it: 600,000 messages
// drained at 80 µs each on average, 150 µs at the worst, against 5 µs with no holes
// (bench/queue-backlog.ts). Here a delivery takes the next entry off a queue and a due time is the
// top of a heap: the cost of a message no longer depends on how many wait behind or went before it.

/** What a {@link DeliveryOrder} reads of an entry: the two fields that say when it may be delivered. */
export interface OrderedEntry {
  /** Not before this time (epoch ms): a delayed publish, a retry's backoff. */
  availableAt: number;
  /** Set while the entry is delivered: not deliverable again before `until` (then the lease has lapsed). */
  lease?: { until: number } | undefined;
}

/**
 * The order in which one consumer group's entries are delivered: entries ready at once in the order
 * they were added, entries that became ready later (a lapsed lease, a retry or a delayed publish
 * falling due) ahead of those, in the order they fell due. The group's own table stays the truth:
 * the order holds references, checks each against `isMember` and the entry's fields when it comes
 * up, and drops what went stale (acknowledged, dead-lettered, rescheduled), so removing an entry
 * from the group needs no call here.
 */
export interface DeliveryOrder<E extends OrderedEntry> {
  /** Adds a new entry (a message published to the group, or replayed to it), last in the order. */
  add(entry: E, now: number): void;
  /**
   * Call after changing an entry's `lease` or `availableAt` (a delivery, a retry, a lease given
   * back): it is looked at again when that time comes.
   */
  reschedule(entry: E, now: number): void;
  /** The next entry that may be delivered at `now`, taken out of the order (the caller leases it), or undefined. */
  next(now: number): E | undefined;
  /** The earliest time after `now` at which a held entry falls due, or undefined when none does. */
  nextDueAt(now: number): number | undefined;
  /** References held, stale ones not yet dropped included (for tests and memory accounting). */
  readonly size: number;
}

/** A FIFO of references with O(1) push and shift: an array and a read index, compacted as it drains. */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // Drop the consumed front once it is half the array: amortized O(1), and no unbounded growth.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    } else if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return item;
  }
}

/** A binary min-heap of entries by the time they fall due. */
class DueHeap<T> {
  private readonly at: number[] = [];
  private readonly items: T[] = [];

  get length(): number {
    return this.items.length;
  }

  /** The top's due time, or undefined when empty. */
  peekAt(): number | undefined {
    return this.at[0];
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(at: number, item: T): void {
    let i = this.items.length;
    this.at.push(at);
    this.items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at[parent]! <= at) break;
      this.at[i] = this.at[parent]!;
      this.items[i] = this.items[parent]!;
      i = parent;
    }
    this.at[i] = at;
    this.items[i] = item;
  }

  pop(): void {
    const lastAt = this.at.pop()!;
    const last = this.items.pop()!;
    if (this.items.length > 0) this.siftDown(0, lastAt, last);
  }

  /** Keeps only the items `keep` accepts, and restores the heap order: O(n). */
  filter(keep: (at: number, item: T) => boolean): void {
    let n = 0;
    for (let i = 0; i < this.items.length; i++) {
      if (!keep(this.at[i]!, this.items[i]!)) continue;
      this.at[n] = this.at[i]!;
      this.items[n] = this.items[i]!;
      n++;
    }
    this.at.length = n;
    this.items.length = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i, this.at[i]!, this.items[i]!);
  }

  /** Puts `item` (due at `at`) at position `start` or below, moving smaller children up. */
  private siftDown(start: number, lastAt: number, last: T): void {
    const n = this.items.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.at[right]! < this.at[left]! ? right : left;
      if (this.at[child]! >= lastAt) break;
      this.at[i] = this.at[child]!;
      this.items[i] = this.items[child]!;
      i = child;
    }
    this.at[i] = lastAt;
    this.items[i] = last;
  }
}

/** Heap size below which leftovers are not swept (they are dropped as they come up anyway). */
const MIN_SWEEP = 1024;

/** When an entry next changes state by itself: its lease lapsing, else its `availableAt`. */
const dueOf = (entry: OrderedEntry) => (entry.lease ? entry.lease.until : entry.availableAt);

/**
 * Creates the delivery order of one consumer group.
 * @param isMember Whether the entry is still the group's (the same object under its id): entries
 *   acknowledged, dead-lettered or replaced are dropped when they come up.
 * @example
 * const order = createDeliveryOrder<GroupEntry>((e) => group.entries.get(e.message.id) === e);
 * order.add(entry, clock.now());
 * for (let e = order.next(now); e; e = order.next(now)) deliver(e);
 */
export function createDeliveryOrder<E extends OrderedEntry>(isMember: (entry: E) => boolean): DeliveryOrder<E> {
  /** Entries ready when added, in the order added. */
  const fresh = new Fifo<E>();
  /** Entries that fell due later, in the order they did: served before `fresh`, as the older work. */
  const again = new Fifo<E>();
  /** Entries waiting for a time: a delayed publish, a retry's backoff, a lease. */
  const waiting = new DueHeap<E>();
  /** Heap size at which leftovers are swept out (see `wait`). */
  let sweepAt = MIN_SWEEP;

  const deliverable = (entry: E, now: number) => isMember(entry) && !(entry.lease && entry.lease.until > now) && entry.availableAt <= now;
  // An item is current when its time is still the entry's due time: each change of the entry pushed
  // an item of its own, so an item whose time no longer matches is a leftover and goes.
  const current = (at: number, entry: E) => at === dueOf(entry) && isMember(entry);

  /** Moves the entries due by `now` from the heap to `again`. */
  const promote = (now: number) => {
    for (let at = waiting.peekAt(); at !== undefined && at <= now; at = waiting.peekAt()) {
      const entry = waiting.peek()!;
      waiting.pop();
      if (current(at, entry)) again.push(entry);
    }
  };

  /**
   * Puts an entry in the heap. Every delivery pushes its lease, and an acknowledged message's lease
   * stays behind until its time would come (the visibility timeout, minutes for some stages), holding
   * the message and its payload: at thousands of messages a second, gigabytes. So once the heap has
   * doubled since its last sweep, the leftovers are swept out: O(n) every n/2 pushes, and the heap
   * stays within twice what is current.
   */
  const wait = (at: number, entry: E) => {
    waiting.push(at, entry);
    if (waiting.length >= sweepAt) {
      waiting.filter(current);
      sweepAt = Math.max(MIN_SWEEP, waiting.length * 2);
    }
  };

  const hold = (entry: E, now: number) => {
    const at = dueOf(entry);
    if (at > now) wait(at, entry);
    else again.push(entry);
  };

  return {
    add(entry, now) {
      if (dueOf(entry) > now) wait(dueOf(entry), entry);
      else fresh.push(entry);
    },
    reschedule: hold,
    next(now) {
      promote(now);
      for (let entry = again.shift(); entry; entry = again.shift()) if (deliverable(entry, now)) return entry;
      for (let entry = fresh.shift(); entry; entry = fresh.shift()) if (deliverable(entry, now)) return entry;
      return undefined;
    },
    nextDueAt(now) {
      promote(now);
      // Leftovers on top would only set a timer early; dropping them keeps the answer exact.
      for (let at = waiting.peekAt(); at !== undefined; at = waiting.peekAt()) {
        if (current(at, waiting.peek()!)) return at;
        waiting.pop();
      }
      return undefined;
    },
    get size() {
      return fresh.length + again.length + waiting.length;
    },
  };
}
