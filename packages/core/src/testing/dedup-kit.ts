import { afterEach, describe, expect } from 'vitest';
import type { ClaimOutcome, DedupStore, DeliveryRecord } from '../webhooks/dedup.js';
import { kitCases, type KitSkip } from './kit-cases.js';
import { eventually, sleep, uniqueId } from './wait.js';

/** Options of {@link testDedupStore}. */
export interface DedupKitOptions {
  /** Cases to skip, each with its reason. */
  skip?: KitSkip[];
  /**
   * Lease of the claims the expiry cases take, in ms: long enough that the store's own round trips
   * fit in it many times over. @default 300
   */
  claimTtlMs?: number;
}

/** A store the kit created, and how to dispose of it. */
export interface DedupKitSubject {
  store: DedupStore;
  dispose?: () => Promise<void> | void;
}

type Held = Extract<ClaimOutcome, { release: unknown }>;

/**
 * The contract of a webhook delivery dedup store ({@link DedupStore}): claims are exclusive and
 * expire, records are found until their `expiresAt`, a stale holder's release never removes what
 * replaced its claim, and workspaces never see each other's keys. Expiry cases run on real time
 * (stores such as Redis expire keys by their own clock), bounded by `claimTtlMs`.
 * @example testDedupStore('redis', () => ({ store: createRedisDedupStore({ url }) }))
 */
export function testDedupStore(name: string, create: () => DedupKitSubject | Promise<DedupKitSubject>, options: DedupKitOptions = {}): void {
  const claimTtlMs = options.claimTtlMs ?? 300;
  // Generous: the claim must not lapse while a case is still using it on a loaded machine.
  const longTtlMs = 60_000;

  describe(`dedup store contract: ${name}`, () => {
    const disposers: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const d of disposers.splice(0)) await d();
    });
    const subject = async () => {
      const s = await create();
      if (s.dispose) disposers.push(s.dispose);
      return s.store;
    };
    const ws = () => uniqueId('ws');
    const key = () => uniqueId('delivery');
    const record = (expiresAt: number, ids = ['rec_1']): DeliveryRecord => ({ sourceId: 'src', deliveryId: 'd-1', acceptedAt: new Date().toISOString(), expiresAt, accepted: ids.length, ids });
    const claimOrGet = (store: DedupStore, workspaceId: string, k: string, ttlMs: number): Promise<ClaimOutcome> =>
      store.claimOrGet ? store.claimOrGet(workspaceId, k, ttlMs) : fallbackClaimOrGet(store, workspaceId, k, ttlMs);
    const held = (outcome: ClaimOutcome): Held => {
      expect(outcome).toHaveProperty('release');
      return outcome as Held;
    };

    const test = kitCases(options.skip, 20_000);

    test('a new delivery is claimed once: a second claim is busy until the first is released', async () => {
      const store = await subject();
      const w = ws();
      const k = key();
      const first = held(await claimOrGet(store, w, k, longTtlMs));
      expect(await claimOrGet(store, w, k, longTtlMs)).toEqual({ busy: true });
      expect(await store.claim(w, k, longTtlMs)).toBeNull();
      await first.release();
      held(await claimOrGet(store, w, k, longTtlMs));
    });

    test('a claim is not a record: get() returns null while a delivery is only claimed', async () => {
      const store = await subject();
      const w = ws();
      const k = key();
      held(await claimOrGet(store, w, k, longTtlMs));
      expect(await store.get(w, k)).toBeNull();
      expect(await store.get(w, key())).toBeNull();
    });

    test('a remembered delivery is found by get() and by claimOrGet()', async () => {
      const store = await subject();
      const w = ws();
      const k = key();
      const claim = held(await claimOrGet(store, w, k, longTtlMs));
      const r = record(Date.now() + 60_000, ['rec_a', 'rec_b']);
      await store.remember(w, k, r);
      expect(await store.get(w, k)).toEqual(r);
      expect(await claimOrGet(store, w, k, longTtlMs)).toEqual({ record: r });
      // The holder's release after its record replaced the claim leaves the record in place.
      await claim.release();
      expect(await store.get(w, k)).toEqual(r);
    });

    test('a record is the store’s own: changing what was remembered, or an answer, changes no later answer', async () => {
      const store = await subject();
      const w = ws();
      const k = key();
      const r = record(Date.now() + 60_000, ['rec_a', 'rec_b']);
      const expected = structuredClone(r);
      await store.remember(w, k, r);
      // The caller's object changed after remember() resolved.
      r.ids.push('rec_changed');
      r.accepted = 99;
      const first = (await store.get(w, k))!;
      expect(first).toEqual(expected);
      // A reader changing its answer, as a host might before replying.
      first.ids.length = 0;
      first.accepted = 0;
      const viaClaim = await claimOrGet(store, w, k, longTtlMs);
      expect(viaClaim).toEqual({ record: expected });
      (viaClaim as { record: DeliveryRecord }).record.ids.push('rec_changed_again');
      expect(await store.get(w, k)).toEqual(expected);
    });

    test('N concurrent claims of one delivery: exactly one holds it', async () => {
      const store = await subject();
      const w = ws();
      const k = key();
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => claimOrGet(store, w, k, longTtlMs)));
      expect(outcomes.filter((o) => 'release' in o)).toHaveLength(1);
      expect(outcomes.filter((o) => 'busy' in o)).toHaveLength(19);
    });

    test('an abandoned claim lapses after its lease: then one request takes it over', async () => {
      const store = await subject();
      const w = ws();
      const k = key();
      held(await claimOrGet(store, w, k, claimTtlMs));
      expect(await claimOrGet(store, w, k, claimTtlMs)).toEqual({ busy: true });
      await sleep(claimTtlMs + 50);
      const taken = await eventually(async () => held(await claimOrGet(store, w, k, longTtlMs)), 5000);
      expect(await claimOrGet(store, w, k, longTtlMs)).toEqual({ busy: true });
      await taken.release();
    });

    test('a late release by a holder whose claim lapsed leaves the new holder in place', async () => {
      const store = await subject();
      const w = ws();
      const k = key();
      const stale = held(await claimOrGet(store, w, k, claimTtlMs));
      await sleep(claimTtlMs + 50);
      const current = await eventually(async () => held(await claimOrGet(store, w, k, longTtlMs)), 5000);
      await stale.release();
      expect(await claimOrGet(store, w, k, longTtlMs)).toEqual({ busy: true });
      await current.release();
      held(await claimOrGet(store, w, k, longTtlMs));
    });

    test('a record is forgotten at its expiresAt: the delivery is new again', async () => {
      const store = await subject();
      const w = ws();
      const k = key();
      await store.remember(w, k, record(Date.now() + claimTtlMs));
      expect(await store.get(w, k)).not.toBeNull();
      await sleep(claimTtlMs + 50);
      await eventually(async () => expect(await store.get(w, k)).toBeNull(), 5000);
      held(await claimOrGet(store, w, k, longTtlMs));
    });

    test('workspaces are apart: the same key in another workspace is its own delivery', async () => {
      const store = await subject();
      const [a, b] = [ws(), ws()];
      const k = key();
      await store.remember(a, k, record(Date.now() + 60_000));
      expect(await store.get(b, k)).toBeNull();
      held(await claimOrGet(store, b, k, longTtlMs));
      expect(await store.get(a, k)).not.toBeNull();
    });

    test.done();
  });
}

/** claimOrGet for a store without it: claim, then look under the claim (as the handler does). */
async function fallbackClaimOrGet(store: DedupStore, workspaceId: string, key: string, ttlMs: number): Promise<ClaimOutcome> {
  const release = await store.claim(workspaceId, key, ttlMs);
  const record = await store.get(workspaceId, key);
  if (record) {
    await release?.();
    return { record };
  }
  return release ? { release } : { busy: true };
}
