import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import type { FetchFunction } from '../connector/index.js';
import { createError } from '../errors/index.js';
import { METADATA_HOSTS, blockedAddressReason } from './addresses.js';

/** Options of {@link createGuardedFetch}. */
export interface GuardedFetchOptions {
  /** Let requests reach loopback, private and link-local addresses (development only). @default false */
  allowPrivateNetwork?: boolean;
  /** Host names (or `host:port`) allowed even when private, e.g. a local simulator. */
  allowHosts?: readonly string[];
  /** Redirects followed, each checked like the first request. @default 5 */
  maxRedirects?: number;
  /** DNS lookup, for tests. @default node:dns lookup */
  lookup?: (hostname: string) => Promise<LookupAddress[]>;
}

const refuse = (url: URL, reason: string) =>
  createError('net', 'forbidden', `refused to connect to ${url.host}: ${reason} addresses are not allowed (set TRIBUTARY_ALLOW_PRIVATE_NETWORK=true to allow them)`, {
    context: { host: url.host },
  });

const defaultLookup = (hostname: string) =>
  new Promise<LookupAddress[]>((resolve, reject) => dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/**
 * A fetch that refuses to reach loopback, private, link-local and cloud metadata addresses — by
 * literal IP, by DNS name, or through a redirect. The address is checked when the socket connects
 * (node:http's `lookup` hook), so a DNS answer that changes between check and connect (rebinding)
 * cannot slip through.
 */
export function createGuardedFetch(options: GuardedFetchOptions = {}): FetchFunction {
  const maxRedirects = options.maxRedirects ?? 5;
  const resolveAll = options.lookup ?? defaultLookup;
  const allowed = new Set((options.allowHosts ?? []).map((h) => h.toLowerCase()));
  const isAllowedHost = (url: URL) => options.allowPrivateNetwork === true || allowed.has(url.hostname.toLowerCase()) || allowed.has(url.host.toLowerCase());

  const guardedLookup = (url: URL): LookupFunction =>
    ((hostname: string, lookupOptions: { all?: boolean }, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void) => {
      resolveAll(hostname).then(
        (addresses) => {
          if (!isAllowedHost(url)) {
            for (const a of addresses) {
              const reason = blockedAddressReason(a.address);
              if (reason) return callback(refuse(url, reason), '', 0);
            }
          }
          if (addresses.length === 0) return callback(createError('net', 'unavailable', `no address for ${hostname}`), '', 0);
          if (lookupOptions?.all) return callback(null, addresses);
          callback(null, addresses[0]!.address, addresses[0]!.family);
        },
        (error: Error) => callback(error, '', 0),
      );
    }) as unknown as LookupFunction;

  const checkUrl = (url: URL) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw createError('net', 'forbidden', `refused ${url.protocol} URL: only http and https are allowed`);
    if (isAllowedHost(url)) return;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (METADATA_HOSTS.has(host.toLowerCase())) throw refuse(url, 'cloud metadata');
    // Literal IPs never reach the lookup hook, so they are checked here.
    const literal = blockedAddressReason(host);
    if (literal && literal !== 'not an IP address') throw refuse(url, literal);
  };

  const once = async (url: URL, init: { method: string; headers: Headers; body: Uint8Array | undefined; signal?: AbortSignal | null }): Promise<IncomingMessage> => {
    checkUrl(url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method: init.method, headers: Object.fromEntries(init.headers), lookup: guardedLookup(url), signal: init.signal ?? undefined });
      req.once('response', resolve);
      req.once('error', reject);
      req.end(init.body);
    });
  };

  return async (input, init) => {
    const request = new Request(input, init);
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    let url = new URL(request.url);
    let method = request.method;
    let payload = body;
    for (let hop = 0; ; hop++) {
      const res = await once(url, { method, headers: request.headers, body: payload, signal: request.signal });
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (request.redirect !== 'manual' && status >= 300 && status < 400 && location) {
        res.resume();
        if (request.redirect === 'error') throw createError('net', 'forbidden', `redirect to ${location} refused (redirect: "error")`);
        if (hop >= maxRedirects) throw createError('net', 'unavailable', `more than ${maxRedirects} redirects`);
        url = new URL(location, url);
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          method = 'GET';
          payload = undefined;
        }
        continue;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
        else if (value !== undefined) headers.set(name, value);
      }
      const nullBody = method === 'HEAD' || status === 204 || status === 304;
      if (nullBody) res.resume();
      const response = new Response(nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage, headers });
      Object.defineProperty(response, 'url', { value: url.toString() });
      return response;
    }
  };
}
