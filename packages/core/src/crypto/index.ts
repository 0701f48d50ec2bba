/**
 * @module @tributary/core/crypto
 * Encryption at rest for credentials and webhook secrets: AES-256-GCM with a random 96-bit IV per
 * value and key ids, so keys can be rotated (decrypt with any known key, encrypt with the current).
 * Ciphertexts look like `tsb1.<keyId>.<iv>.<tag>.<data>` (base64url parts). {@link createKeyring}
 * builds a box from a primary key and the previous ones (key ids derived from the keys), for
 * `TRIBUTARY_SECRET_KEY` rotation.
 */
import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { createError } from '../errors/index.js';

const PREFIX = 'tsb1';

/** Encrypts and decrypts small secrets. */
export interface SecretBox {
  /** Id of the key new ciphertexts use. */
  readonly currentKeyId: string;
  encrypt(plaintext: string, associatedData?: string): string;
  /** @throws TributaryError `crypto` when the ciphertext was tampered with or its key is unknown. */
  decrypt(ciphertext: string, associatedData?: string): string;
  /** JSON helpers for structured secrets (credentials objects). */
  encryptJson(value: unknown, associatedData?: string): string;
  decryptJson<T = unknown>(ciphertext: string, associatedData?: string): T;
  /** True when a string is a ciphertext of this format. */
  isCiphertext(value: unknown): value is string;
  /** The key id a ciphertext names, or null when it is not a ciphertext of this format. */
  keyIdOf(ciphertext: string): string | null;
  /**
   * True when a ciphertext is not under the current key (it decrypts with an older one, or names a
   * legacy id): re-encrypt it with {@link SecretBox.reencrypt} to retire the old key.
   */
  needsReencryption(ciphertext: string): boolean;
  /**
   * Decrypts with whichever key made the ciphertext and encrypts again with the current key,
   * optionally under new associated data (to move a value to a stronger binding).
   * @throws TributaryError `crypto` when the ciphertext does not decrypt under `associatedData`
   */
  reencrypt(ciphertext: string, associatedData?: string, nextAssociatedData?: string): string;
}

/** Options of {@link createSecretBox}. */
export interface SecretBoxOptions {
  /**
   * Keys by id: 32 bytes each, given as base64, base64url or hex (64 hex chars). The first is current
   * unless `currentKeyId` says otherwise.
   */
  keys: Record<string, string | Uint8Array>;
  currentKeyId?: string;
  /**
   * Key ids of ciphertexts written before their keys had the ids they have now (e.g. `k1`, the id
   * the server used before key rotation): such a ciphertext is tried with every key, current first.
   * GCM's tag tells which key made it, so a wrong key never yields a wrong plaintext.
   * @default []
   */
  legacyKeyIds?: readonly string[];
}

/** Decodes a 32-byte key from hex, base64 or base64url. */
export function decodeKey(key: string | Uint8Array): Buffer {
  let bytes: Buffer;
  if (typeof key !== 'string') bytes = Buffer.from(key);
  else if (/^[0-9a-fA-F]{64}$/.test(key)) bytes = Buffer.from(key, 'hex');
  else bytes = Buffer.from(key.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== 32) {
    throw createError('crypto', 'config', `an encryption key must be 32 bytes (64 hex characters or 44 base64 characters); got ${bytes.length} bytes`);
  }
  return bytes;
}

/** Generates a new random key as base64url (for `TRIBUTARY_SECRET_KEY`). */
export function generateKey(): string {
  return randomBytes(32).toString('base64url');
}

/** Creates a secret box. */
export function createSecretBox(options: SecretBoxOptions): SecretBox {
  const keys = new Map<string, Buffer>();
  for (const [id, key] of Object.entries(options.keys)) {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw createError('crypto', 'config', `invalid key id ${JSON.stringify(id)}: use 1–32 letters, digits, _ or -`);
    keys.set(id, decodeKey(key));
  }
  const currentKeyId = options.currentKeyId ?? [...keys.keys()][0];
  if (!currentKeyId || !keys.has(currentKeyId)) throw createError('crypto', 'config', 'no current encryption key');
  const legacy = new Set((options.legacyKeyIds ?? []).filter((id) => !keys.has(id)));
  // The current key first: after a rotation most legacy values were made with the old key, but a
  // value made by this keyring under a legacy id does not exist, so order only affects speed.
  const candidates = [keys.get(currentKeyId)!, ...[...keys].filter(([id]) => id !== currentKeyId).map(([, key]) => key)];
  const b64 = (b: Buffer) => b.toString('base64url');

  const open = (key: Buffer, iv: string, tag: string, data: string, associatedData: string | undefined) => {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  };

  const box: SecretBox = {
    currentKeyId,
    encrypt(plaintext, associatedData) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keys.get(currentKeyId)!, iv);
      if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [PREFIX, currentKeyId, b64(iv), b64(cipher.getAuthTag()), b64(data)].join('.');
    },
    decrypt(ciphertext, associatedData) {
      const parts = ciphertext.split('.');
      if (parts.length !== 5 || parts[0] !== PREFIX) throw createError('crypto', 'crypto', 'not a Tributary ciphertext');
      const [, keyId, iv, tag, data] = parts as [string, string, string, string, string];
      const key = keys.get(keyId);
      if (!key && !legacy.has(keyId)) throw createError('crypto', 'crypto', `unknown encryption key id ${JSON.stringify(keyId)}`);
      let cause: unknown;
      for (const candidate of key ? [key] : candidates) {
        try {
          return open(candidate, iv, tag, data, associatedData);
        } catch (error) {
          cause = error;
        }
      }
      throw createError('crypto', 'crypto', 'decryption failed: wrong key, wrong context or tampered ciphertext', { cause });
    },
    encryptJson(value, associatedData) {
      return box.encrypt(JSON.stringify(value), associatedData);
    },
    decryptJson<T>(ciphertext: string, associatedData?: string) {
      return JSON.parse(box.decrypt(ciphertext, associatedData)) as T;
    },
    isCiphertext(value): value is string {
      return typeof value === 'string' && value.startsWith(`${PREFIX}.`) && value.split('.').length === 5;
    },
    keyIdOf(ciphertext) {
      return box.isCiphertext(ciphertext) ? ciphertext.split('.')[1]! : null;
    },
    needsReencryption(ciphertext) {
      return box.keyIdOf(ciphertext) !== currentKeyId;
    },
    reencrypt(ciphertext, associatedData, nextAssociatedData = associatedData) {
      return box.encrypt(box.decrypt(ciphertext, associatedData), nextAssociatedData);
    },
  };
  return box;
}

/**
 * Compares two strings or byte arrays in constant time (for signatures and tokens): the time taken
 * depends on the lengths only, never on where the inputs differ.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  // Two strings (hex digests, tokens) are compared code unit by code unit, with no early exit and no
  // buffer made for them: every request compares a few, and copying them into buffers cost more
  // than the comparison (bench/README.md, "Ingest").
  if (typeof a === 'string' && typeof b === 'string') return constantTimeEqualStrings(a, b);
  const x = typeof a === 'string' ? Buffer.from(a) : a;
  const y = typeof b === 'string' ? Buffer.from(b) : b;
  if (x.length !== y.length) {
    // Compare against itself so the time taken does not reveal where the lengths differ.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

function constantTimeEqualStrings(a: string, b: string): boolean {
  // Unequal lengths still walk `a` whole, against itself, so the time depends on `a`'s length alone.
  const other = a.length === b.length ? b : a;
  let difference = a.length === b.length ? 0 : 1;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ other.charCodeAt(i);
  return difference === 0;
}

export { createKeyring, keyIdFor, LEGACY_KEY_IDS, type KeyringOptions } from './keyring.js';
