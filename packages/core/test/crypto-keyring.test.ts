import { describe, expect, it } from 'vitest';
import { createKeyring, createSecretBox, generateKey, keyIdFor } from '@tributary/core/crypto';
import { isTributaryError } from '@tributary/core/errors';

describe('keyring (secret key rotation)', () => {
  const oldKey = generateKey();
  const newKey = generateKey();

  it('derives stable, non-secret key ids', () => {
    expect(keyIdFor(oldKey)).toMatch(/^k[A-Za-z0-9_-]{10}$/);
    expect(keyIdFor(oldKey)).toBe(keyIdFor(Buffer.from(oldKey, 'base64url').toString('hex')));
    expect(keyIdFor(oldKey)).not.toBe(keyIdFor(newKey));
    expect(keyIdFor(oldKey)).not.toContain(oldKey.slice(0, 8));
  });

  it('encrypts with the primary key and still decrypts what previous keys made', () => {
    const before = createKeyring({ primary: oldKey });
    const c1 = before.encrypt('token', 'ws/src/credentials');
    const ring = createKeyring({ primary: newKey, previous: [oldKey] });
    expect(ring.currentKeyId).toBe(keyIdFor(newKey));
    expect(ring.decrypt(c1, 'ws/src/credentials')).toBe('token');
    expect(ring.needsReencryption(c1)).toBe(true);
    const c2 = ring.reencrypt(c1, 'ws/src/credentials');
    expect(ring.keyIdOf(c2)).toBe(keyIdFor(newKey));
    expect(ring.needsReencryption(c2)).toBe(false);
    // Once re-encrypted, the old key can go.
    expect(createKeyring({ primary: newKey }).decrypt(c2, 'ws/src/credentials')).toBe('token');
    try {
      createKeyring({ primary: newKey }).decrypt(c1, 'ws/src/credentials');
      throw new Error('decrypted without its key');
    } catch (e) {
      expect(isTributaryError(e, 'crypto')).toBe(true);
      expect((e as Error).message).toMatch(/unknown encryption key/);
    }
  });

  it('moves a value to new associated data only when the old binding matches', () => {
    const ring = createKeyring({ primary: newKey });
    const c = ring.encrypt('s', 'old');
    expect(ring.decrypt(ring.reencrypt(c, 'old', 'new'), 'new')).toBe('s');
    expect(() => ring.reencrypt(c, 'other', 'new')).toThrow(/decryption failed/);
  });

  it("reads ciphertexts of the server's single-key era (key id k1) with whichever key made them", () => {
    const legacy = createSecretBox({ keys: { k1: oldKey } }).encryptJson({ apiKey: 'x' }, 'aad');
    const ring = createKeyring({ primary: newKey, previous: [oldKey] });
    expect(ring.decryptJson(legacy, 'aad')).toEqual({ apiKey: 'x' });
    expect(ring.needsReencryption(legacy)).toBe(true);
    // Without the key that made it, a legacy id fails like any other wrong key: never a wrong plaintext.
    expect(() => createKeyring({ primary: newKey }).decrypt(legacy, 'aad')).toThrow(/decryption failed/);
    // The same key as primary, before any rotation: still readable.
    expect(createKeyring({ primary: oldKey }).decryptJson(legacy, 'aad')).toEqual({ apiKey: 'x' });
  });

  it('refuses a key given twice or malformed', () => {
    expect(() => createKeyring({ primary: newKey, previous: [newKey] })).toThrow(/given twice/);
    expect(() => createKeyring({ primary: 'short' })).toThrow(/32 bytes/);
  });
});
