import { describe, expect, it } from 'vitest';
import { constantTimeEqual, createSecretBox, generateKey } from '@tributary/core/crypto';
import { isTributaryError } from '@tributary/core/errors';

describe('secret box (AES-256-GCM)', () => {
  const key = generateKey();

  it('round-trips and never stores the plaintext', () => {
    const box = createSecretBox({ keys: { k1: key } });
    const c = box.encrypt('s3cret-token');
    expect(c).not.toContain('s3cret');
    expect(box.isCiphertext(c)).toBe(true);
    expect(box.decrypt(c)).toBe('s3cret-token');
    expect(box.encrypt('same')).not.toBe(box.encrypt('same')); // random IV
    expect(box.decryptJson(box.encryptJson({ apiKey: 'x', n: 1 }))).toEqual({ apiKey: 'x', n: 1 });
  });

  it('detects tampering and a wrong context', () => {
    const box = createSecretBox({ keys: { k1: key } });
    const c = box.encrypt('value', 'ws1/src1/credentials');
    const parts = c.split('.');
    const data = Buffer.from(parts[4]!, 'base64url');
    data[0] = data[0]! ^ 1;
    parts[4] = data.toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'ws1/src1/credentials')).toThrow(/decryption failed/);
    // the same ciphertext cannot be moved to another workspace's source
    try {
      box.decrypt(c, 'ws2/src1/credentials');
      throw new Error('decrypted');
    } catch (e) {
      expect(isTributaryError(e, 'crypto')).toBe(true);
    }
  });

  it('rotates keys: old ciphertexts still decrypt, new ones use the current key', () => {
    const old = createSecretBox({ keys: { k1: key } });
    const c1 = old.encrypt('a');
    const rotated = createSecretBox({ keys: { k2: generateKey(), k1: key } });
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.decrypt(c1)).toBe('a');
    expect(rotated.encrypt('b').split('.')[1]).toBe('k2');
    expect(() => createSecretBox({ keys: { k2: generateKey() } }).decrypt(c1)).toThrow(/unknown encryption key/);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => createSecretBox({ keys: { k: 'short' } })).toThrow(/32 bytes/);
    expect(() => createSecretBox({ keys: { k: 'a'.repeat(64) } })).not.toThrow();
  });

  it('compares in constant time', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('abcd', 'abc')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('', 'a')).toBe(false);
    expect(constantTimeEqual('ünïcode ✓', 'ünïcode ✓')).toBe(true);
    expect(constantTimeEqual('ünïcode ✓', 'ünïcode ✗')).toBe(false);
    // Lone surrogates are different strings, though UTF-8 would encode both as U+FFFD.
    expect(constantTimeEqual('\uD800', '\uDC00')).toBe(false);
    // A difference anywhere counts, first or last.
    const hash = 'a'.repeat(64);
    expect(constantTimeEqual(hash, `b${hash.slice(1)}`)).toBe(false);
    expect(constantTimeEqual(hash, `${hash.slice(0, 63)}b`)).toBe(false);
    expect(constantTimeEqual(hash, 'a'.repeat(64))).toBe(true);
  });
});
