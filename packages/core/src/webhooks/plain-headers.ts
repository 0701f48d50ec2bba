import { toFetchHeaders, type NodeIncomingRequest } from './node.js';

// Connection-level headers describe the hop to us, not the message: hidden, as `toFetchHeaders` drops them.
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'content-length', 'proxy-connection']);

/**
 * Fetch `Headers` over a node:http header object (names in lower case), without copying it: what
 * connectors and signature schemes read of a webhook request (`get`, `has`) costs a property lookup
 * instead of building a `Headers` per request. Answers as `toFetchHeaders(headers)` would: repeated
 * values joined with `, `, hop-by-hop and HTTP/2 pseudo-headers absent. Anything else (iteration,
 * changes) works on such a copy, made on first use.
 */
export class PlainHeaders implements Headers {
  readonly #source: NodeIncomingRequest['headers'];
  #copy: Headers | undefined;

  constructor(headers: NodeIncomingRequest['headers']) {
    this.#source = headers;
  }

  /** The full Fetch copy, for everything but lookups. */
  #fetch(): Headers {
    return (this.#copy ??= toFetchHeaders(this.#source));
  }

  get(name: string): string | null {
    if (this.#copy) return this.#copy.get(name);
    const key = name.toLowerCase();
    if (key.startsWith(':') || HOP_HEADERS.has(key) || !Object.hasOwn(this.#source, key)) return null;
    const value = this.#source[key];
    if (value === undefined) return null;
    return Array.isArray(value) ? (value.length > 0 ? value.join(', ') : null) : value;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  getSetCookie(): string[] {
    return this.#fetch().getSetCookie();
  }

  set(name: string, value: string): void {
    this.#fetch().set(name, value);
  }

  append(name: string, value: string): void {
    this.#fetch().append(name, value);
  }

  delete(name: string): void {
    this.#fetch().delete(name);
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    this.#fetch().forEach((value, key) => callback.call(thisArg, value, key, this));
  }

  entries(): HeadersIterator<[string, string]> {
    return this.#fetch().entries();
  }

  keys(): HeadersIterator<string> {
    return this.#fetch().keys();
  }

  values(): HeadersIterator<string> {
    return this.#fetch().values();
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.#fetch()[Symbol.iterator]();
  }
}
