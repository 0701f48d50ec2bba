// hmacSha256 is built on one-shot SHA-256 calls, not on createHmac: it must agree with createHmac on
// every key length (empty, shorter than a block, exactly a block, longer and so hashed first), on
// text and bytes, on many parts, and with RFC 4231's published vectors.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from '@tributary/core/crypto';
import { hmacSha256 } from '../src/webhooks/scheme.js';

const reference = (key: Uint8Array | string, ...parts: (Uint8Array | string)[]) => {
  const mac = createHmac('sha256', typeof key === 'string' ? Buffer.from(key, 'utf8') : key);
  for (const part of parts) mac.update(typeof part === 'string' ? Buffer.from(part, 'utf8') : part);
  return mac.digest('hex');
};

describe('hmacSha256', () => {
  it('matches RFC 4231 test cases 1, 2, 4, 6 and 7', () => {
    const cases: [Buffer, Buffer, string][] = [
      [Buffer.alloc(20, 0x0b), Buffer.from('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
      [Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      [Buffer.from('0102030405060708090a0b0c0d0e0f10111213141516171819', 'hex'), Buffer.alloc(50, 0xcd), '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
      [Buffer.alloc(131, 0xaa), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
      [
        Buffer.alloc(131, 0xaa),
        Buffer.from('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
        '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      ],
    ];
    for (const [key, data, expected] of cases) expect(hmacSha256(key, data).toString('hex')).toBe(expected);
  });

  it('agrees with createHmac for keys of every length around the block size', () => {
    for (const length of [0, 1, 31, 32, 63, 64, 65, 127, 128, 200]) {
      const key = randomBytes(length);
      const body = randomBytes(length * 7 + 3);
      expect(hmacSha256(key, body).toString('hex'), `key of ${length} bytes`).toBe(reference(key, body));
    }
  });

  it('agrees with createHmac on text keys and on several parts, text or bytes', () => {
    const parts: (string | Uint8Array)[] = ['msg_1.1700000000.', new TextEncoder().encode('{"a":"ünïcode"}'), '', randomBytes(5000)];
    expect(hmacSha256('whsec-like secret ü', ...parts).toString('hex')).toBe(reference('whsec-like secret ü', ...parts));
    expect(hmacSha256('k'.repeat(100), 'body').toString('hex')).toBe(reference('k'.repeat(100), 'body'));
    expect(hmacSha256('k').toString('hex')).toBe(reference('k'));
  });

  it('agrees with createHmac whatever came before: longer keys then shorter ones, and messages past its reused scratch space', () => {
    // The key block and the inner message are reused between calls: nothing of one call may leak into the next.
    for (const length of [200, 65, 64, 20, 1, 0, 64, 3]) {
      const key = randomBytes(length);
      const text = 'k'.repeat(length);
      expect(hmacSha256(key, 'same body').toString('hex'), `key of ${length} bytes`).toBe(reference(key, 'same body'));
      expect(hmacSha256(text, 'same body').toString('hex'), `text key of ${length} characters`).toBe(reference(text, 'same body'));
    }
    for (const size of [16 * 1024 - 64, 16 * 1024 - 63, 16 * 1024, 70_000]) {
      const body = randomBytes(size);
      expect(hmacSha256('key', body).toString('hex'), `body of ${size} bytes`).toBe(reference('key', body));
      expect(hmacSha256('key', 'short').toString('hex'), `a short body after one of ${size} bytes`).toBe(reference('key', 'short'));
    }
  });

  it('leaves what it was given untouched and gives the same digest again', () => {
    const key = Buffer.from('a key given as bytes');
    const body = Buffer.from('the body');
    const first = hmacSha256(key, body);
    expect(key.toString()).toBe('a key given as bytes');
    expect(body.toString()).toBe('the body');
    expect(hmacSha256(key, body).equals(first)).toBe(true);
    // Each digest is its own buffer: a later call does not change an earlier answer.
    hmacSha256('another key', 'another body');
    expect(first.toString('hex')).toBe(reference(key, body));
  });
});

describe('constantTimeEqual on bytes', () => {
  it('compares byte arrays in place, of equal or different lengths', () => {
    const a = Buffer.from('0123456789abcdef');
    expect(constantTimeEqual(a, Buffer.from('0123456789abcdef'))).toBe(true);
    expect(constantTimeEqual(a, Buffer.from('0123456789abcdeF'))).toBe(false);
    expect(constantTimeEqual(a, a.subarray(0, 8))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), 'abc')).toBe(false);
  });
});
