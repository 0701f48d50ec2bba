import { createHash } from 'node:crypto';
import { createError } from '../errors/index.js';
import { createSecretBox, decodeKey, type SecretBox } from './index.js';

/**
 * The id the reference server gave its only key before keyrings: ciphertexts naming it are tried
 * with every key of the ring, so data written then still decrypts after a rotation.
 */
export const LEGACY_KEY_IDS: readonly string[] = ['k1'];

/** Options of {@link createKeyring}. */
export interface KeyringOptions {
  /** The key new ciphertexts use (32 bytes: hex, base64 or base64url). */
  primary: string | Uint8Array;
  /** Older keys, only to decrypt what they made until it is re-encrypted. @default [] */
  previous?: readonly (string | Uint8Array)[];
  /** Ids of ciphertexts made before key ids were derived from keys. @default {@link LEGACY_KEY_IDS} */
  legacyKeyIds?: readonly string[];
}

/**
 * The id of a key: `k` and 10 base64url characters of a SHA-256 of the key. It names the key in
 * ciphertexts without revealing anything about it (the key has 256 random bits), and is the same in
 * every process configured with that key, so no id has to be configured beside the key.
 */
export function keyIdFor(key: string | Uint8Array): string {
  return `k${createHash('sha256').update('tributary/key-id/v1\0').update(decodeKey(key)).digest('base64url').slice(0, 10)}`;
}

/**
 * A secret box over a keyring: encrypts with the primary key, decrypts with the primary or any
 * previous key (and legacy ids, see {@link KeyringOptions.legacyKeyIds}). Rotating is: make the
 * new key primary, keep the old one as previous, re-encrypt what is stored, then drop the old key.
 * @throws TributaryError `config` for a malformed key or the same key given twice
 */
export function createKeyring(options: KeyringOptions): SecretBox {
  const keys: Record<string, Uint8Array> = {};
  for (const key of [options.primary, ...(options.previous ?? [])]) {
    const bytes = decodeKey(key);
    const id = keyIdFor(bytes);
    if (keys[id]) throw createError('crypto', 'config', `the key ${id} is given twice (primary and previous, or twice as previous)`);
    keys[id] = bytes;
  }
  return createSecretBox({ keys, currentKeyId: keyIdFor(options.primary), legacyKeyIds: options.legacyKeyIds ?? LEGACY_KEY_IDS });
}
