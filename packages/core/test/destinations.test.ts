import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '@tributary/core/clock';
import { createKeyring, createSecretBox, generateKey } from '@tributary/core/crypto';
import { createDestinationRegistry, LEGACY_ENCRYPTED, SEALED, secretFieldsOf, type StoredDestination } from '@tributary/core/destinations';
import { isTributaryError } from '@tributary/core/errors';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { defineTarget, type AnyTarget } from '@tributary/core/target';

const signed = defineTarget({
  name: 'signed',
  version: '1',
  configSchema: z.object({ url: z.string().url(), secret: z.string().min(1).meta({ secret: true, writeOnly: true }), label: z.string().default('none') }),
  send: async () => ({ ok: true }),
}) as AnyTarget;

function setup(box = createKeyring({ primary: generateKey() })) {
  const storage = createMemoryStorage();
  const registry = createDestinationRegistry({ storage, targets: new Map([[signed.name, signed]]), secretBox: box, clock: createManualClock() });
  return { storage, registry, box };
}

describe('destination registry', () => {
  it('finds the secret fields a target schema marks', () => {
    expect(secretFieldsOf(signed)).toEqual(['secret']);
  });

  it('creates, reads, lists, updates and deletes; secrets encrypted at rest and left out of views', async () => {
    const { storage, registry } = setup();
    const created = await registry.create('ws1', { target: 'signed', name: 'Hook', config: { url: 'https://r.example.com', secret: 'TOPSECRET' }, rateLimit: { perSecond: 5, burst: 5 } });
    expect(created).toMatchObject({ workspaceId: 'ws1', target: 'signed', name: 'Hook', config: { url: 'https://r.example.com' }, secretFields: ['secret'], enabled: true, filter: null });
    expect(JSON.stringify(created)).not.toContain('TOPSECRET');
    const stored = await storage.getDocument<StoredDestination>('destinations', 'ws1', created.id);
    expect(JSON.stringify(stored)).not.toContain('TOPSECRET');
    expect((stored!.config as Record<string, unknown>).secret).toEqual({ [SEALED]: expect.any(String) });
    expect(await registry.get('ws1', created.id)).toEqual(created);
    expect(await registry.get('ws2', created.id)).toBeNull();
    expect((await registry.list('ws1')).map((d) => d.id)).toEqual([created.id]);
    expect(await registry.list('ws2')).toEqual([]);

    const resolved = await registry.resolve('ws1', created.id);
    expect(resolved!.config).toEqual({ url: 'https://r.example.com', secret: 'TOPSECRET', label: 'none' });

    // A change that leaves the secret out keeps it; one that gives it replaces it.
    await registry.update('ws1', created.id, { config: { label: 'x' }, enabled: false });
    expect((await registry.resolve('ws1', created.id))!.config).toEqual({ url: 'https://r.example.com', secret: 'TOPSECRET', label: 'x' });
    const changed = await registry.update('ws1', created.id, { config: { secret: 'NEWSECRET' } });
    expect(changed.enabled).toBe(false);
    expect((await registry.resolve('ws1', created.id))!.config).toMatchObject({ secret: 'NEWSECRET' });

    expect(await registry.delete('ws1', created.id)).toBe(true);
    expect(await registry.resolve('ws1', created.id)).toBeNull();
    await expect(registry.update('ws1', created.id, { name: 'x' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('names the bad field, and refuses ciphertext handed in as a secret', async () => {
    const { registry } = setup();
    await expect(registry.create('ws1', { target: 'nope' })).rejects.toMatchObject({ code: 'validation', issues: [{ path: 'target' }] });
    await expect(registry.create('ws1', { target: 'signed', config: { url: 'not a url', secret: 's' } })).rejects.toMatchObject({ code: 'validation', issues: [{ path: 'config.url' }] });
    await expect(registry.create('ws1', { target: 'signed', config: { url: 'https://r.example.com', secret: { [SEALED]: 'tsb1.x.y.z.w' } } })).rejects.toMatchObject({ code: 'validation', issues: [{ path: 'config.secret' }] });
    await expect(registry.create('ws1', { target: 'signed', config: { url: 'https://r.example.com', secret: 's' }, rateLimit: { perSecond: 0, burst: 1 } })).rejects.toMatchObject({ issues: [{ path: 'rateLimit.perSecond' }] });
  });

  it("does not decrypt a secret copied into another workspace's (or another destination's) document", async () => {
    const { storage, registry } = setup();
    const a = await registry.create('wsA', { target: 'signed', config: { url: 'https://a.example.com', secret: 'A-SECRET' } });
    const b = await registry.create('wsB', { target: 'signed', config: { url: 'https://b.example.com', secret: 'B-SECRET' } });
    const storedA = (await storage.getDocument<StoredDestination>('destinations', 'wsA', a.id))!;
    const storedB = (await storage.getDocument<StoredDestination>('destinations', 'wsB', b.id))!;
    // B's attacker pastes A's ciphertext into B's destination…
    await storage.putDocument('destinations', 'wsB', b.id, { ...storedB, config: { ...(storedB.config as object), secret: (storedA.config as Record<string, unknown>).secret } });
    const swapped = await registry.resolve('wsB', b.id).catch((e: unknown) => e);
    expect(isTributaryError(swapped, 'crypto')).toBe(true);
    // …or copies A's whole document, ids included, into B's scope: the binding is where it was read from.
    await storage.putDocument('destinations', 'wsB', a.id, storedA);
    expect(isTributaryError(await registry.resolve('wsB', a.id).catch((e: unknown) => e), 'crypto')).toBe(true);
    // A second destination of the same workspace cannot borrow it either.
    const a2 = await registry.create('wsA', { target: 'signed', config: { url: 'https://a.example.com', secret: 'other' } });
    const storedA2 = (await storage.getDocument<StoredDestination>('destinations', 'wsA', a2.id))!;
    await storage.putDocument('destinations', 'wsA', a2.id, { ...storedA2, config: storedA.config });
    expect(isTributaryError(await registry.resolve('wsA', a2.id).catch((e: unknown) => e), 'crypto')).toBe(true);
    // The original still works.
    expect((await registry.resolve('wsA', a.id))!.config).toMatchObject({ secret: 'A-SECRET' });
  });

  it('reads the legacy field-bound format and upgrades it on re-encryption and on write', async () => {
    const oldKey = generateKey();
    const legacyBox = createSecretBox({ keys: { k1: oldKey } });
    const { storage, registry, box } = setup(createKeyring({ primary: generateKey(), previous: [oldKey] }));
    const legacy = (id: string): StoredDestination => ({
      id,
      workspaceId: 'ws1',
      target: 'signed',
      config: { url: 'https://r.example.com', secret: { [LEGACY_ENCRYPTED]: legacyBox.encryptJson('OLD', 'tributary/destination-config/secret') } },
      filter: null,
      rateLimit: null,
      enabled: true,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    await storage.putDocument('destinations', 'ws1', 'd1', legacy('d1'));
    await storage.putDocument('destinations', 'ws1', 'd2', legacy('d2'));
    expect((await registry.resolve('ws1', 'd1'))!.config).toMatchObject({ secret: 'OLD' });
    expect((await registry.get('ws1', 'd1'))!.config).toEqual({ url: 'https://r.example.com' });

    expect(await registry.reencrypt('ws1', 'd1')).toBe(true);
    expect(await registry.reencrypt('ws1', 'd1')).toBe(false);
    const upgraded = (await storage.getDocument<StoredDestination>('destinations', 'ws1', 'd1'))!.config as Record<string, { [SEALED]: string }>;
    expect(box.keyIdOf(upgraded.secret![SEALED])).toBe(box.currentKeyId);
    expect((await registry.resolve('ws1', 'd1'))!.config).toMatchObject({ secret: 'OLD' });

    await registry.update('ws1', 'd2', { name: 'renamed' });
    const written = (await storage.getDocument<StoredDestination>('destinations', 'ws1', 'd2'))!.config as Record<string, unknown>;
    expect(written.secret).toEqual({ [SEALED]: expect.any(String) });

    // A registry told to refuse the unbound format does.
    await storage.putDocument('destinations', 'ws1', 'd3', legacy('d3'));
    const strict = createDestinationRegistry({ storage, targets: new Map([[signed.name, signed]]), secretBox: box, clock: createManualClock(), acceptLegacy: false });
    await expect(strict.resolve('ws1', 'd3')).rejects.toMatchObject({ code: 'config' });
  });

  it('refuses to store a secret without an encryption key', async () => {
    const registry = createDestinationRegistry({ storage: createMemoryStorage(), targets: new Map([[signed.name, signed]]), clock: createManualClock() });
    await expect(registry.create('ws1', { target: 'signed', config: { url: 'https://r.example.com', secret: 's' } })).rejects.toMatchObject({ code: 'config' });
  });
});
