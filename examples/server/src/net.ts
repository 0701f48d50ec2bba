/**
 * @module net
 * The server's outbound network policy (SSRF). Connectors, targets and source checks reach the
 * network only through {@link NetPolicy.fetch}, core's guarded fetch: loopback, private, link-local
 * and cloud metadata addresses are refused at connect time and through redirects, unless
 * `TRIBUTARY_ALLOW_PRIVATE_NETWORK=true` or the host is listed in `TRIBUTARY_ALLOWED_HOSTS`. URLs are
 * also checked when sources and destinations are created ({@link NetPolicy.checkUrl}), so a bad one
 * is refused with a 400 naming the field instead of failing later in a worker.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { MiddlewareHandler } from 'hono';
import type { FetchFunction } from '@tributary/core/connector';
import { createError } from '@tributary/core/errors';
import { blockedAddressReason, createGuardedFetch, METADATA_HOSTS } from '@tributary/core/net';
import { readJsonBody, type AppEnv } from './api.js';

/** Resolves a host name to its addresses (injectable for tests). */
export type LookupFunction = (hostname: string) => Promise<LookupAddress[]>;

/** Options of {@link createServerFetch} and {@link createNetPolicy}. */
export interface ServerNetOptions {
  /** Let requests reach private addresses (development only). @default false */
  allowPrivateNetwork?: boolean;
  /** Host names or `host:port` reachable even when they resolve to private addresses. */
  allowHosts?: readonly string[];
  /** @default node:dns lookup */
  lookup?: LookupFunction;
  /** How long a creation-time check waits for DNS; an unresolved name is left to the connect-time guard. @default 2000 */
  lookupTimeoutMs?: number;
}

/** The server's outbound policy. */
export interface NetPolicy {
  /** The guarded fetch connectors, targets and checks use. */
  readonly fetch: FetchFunction;
  /**
   * Why a URL may not be used (a literal private IP, a metadata host, a name resolving to a private
   * address), or null when it may. Names that do not resolve pass: the guard checks again at connect time.
   */
  checkUrl(url: string): Promise<string | null>;
  /**
   * Allows one more host (or `host:port`) from now on, e.g. the demo's local simulator once it
   * listens. Every later request, redirects included, sees it.
   */
  allowHost(host: string): void;
  /** The hosts allowed so far. */
  readonly allowedHosts: readonly string[];
  readonly allowPrivateNetwork: boolean;
}

const defaultLookup: LookupFunction = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/** A guarded fetch with the server's settings: the fetch to hand to `createPipeline`. */
export function createServerFetch(options: ServerNetOptions = {}): FetchFunction {
  return createGuardedFetch({
    allowPrivateNetwork: options.allowPrivateNetwork === true,
    allowHosts: options.allowHosts ?? [],
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
}

/** Splits `TRIBUTARY_ALLOWED_HOSTS` (comma-separated, blanks ignored, lower-cased). */
export function parseAllowedHosts(value: string | readonly string[] | undefined): string[] {
  const parts = typeof value === 'string' ? value.split(',') : (value ?? []);
  return [...new Set(parts.map((h) => h.trim().toLowerCase()).filter(Boolean))];
}

/** Creates the server's outbound policy. */
export function createNetPolicy(options: ServerNetOptions = {}): NetPolicy {
  const allowPrivateNetwork = options.allowPrivateNetwork === true;
  const hosts = new Set(parseAllowedHosts(options.allowHosts));
  const lookup = options.lookup ?? defaultLookup;
  const timeoutMs = options.lookupTimeoutMs ?? 2000;
  // Rebuilt when a host is added: the core guard takes its allow list once.
  let guarded = createServerFetch({ allowPrivateNetwork, allowHosts: [...hosts], lookup });

  const isAllowed = (url: URL) => allowPrivateNetwork || hosts.has(url.hostname.toLowerCase()) || hosts.has(url.host.toLowerCase());

  const resolveBounded = (hostname: string): Promise<LookupAddress[] | null> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      timer.unref?.();
      lookup(hostname).then(
        (addresses) => {
          clearTimeout(timer);
          resolve(addresses);
        },
        () => {
          clearTimeout(timer);
          resolve(null);
        },
      );
    });

  return {
    fetch: (input, init) => guarded(input, init),
    get allowedHosts() {
      return [...hosts];
    },
    allowPrivateNetwork,
    allowHost(host) {
      const h = host.trim().toLowerCase();
      if (!h || hosts.has(h)) return;
      hosts.add(h);
      guarded = createServerFetch({ allowPrivateNetwork, allowHosts: [...hosts], lookup });
    },
    async checkUrl(raw) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        // Not a URL: the connector's or target's own schema says so with its message.
        return null;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
      if (isAllowed(url)) return null;
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (METADATA_HOSTS.has(host.toLowerCase())) return `${url.host} is a cloud metadata address`;
      const literal = blockedAddressReason(host);
      if (literal !== 'not an IP address') return literal ? `${url.host} is a ${literal} address` : null;
      const addresses = await resolveBounded(host);
      for (const a of addresses ?? []) {
        const reason = blockedAddressReason(a.address);
        if (reason) return `${url.host} resolves to a ${reason} address (${a.address})`;
      }
      return null;
    },
  };
}

/** Config keys of sources and destinations that hold URLs the server will call. */
const URL_KEY = /(^url$|url$|^endpoint$)/i;

/** The `[path, url]` pairs of an object's URL fields (top level and `depth` levels down, e.g. `request.url`). */
export function urlFields(value: unknown, prefix: string, depth = 1): [path: string, url: string][] {
  const out: [string, string][] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' && URL_KEY.test(key) && /^https?:\/\//i.test(v.trim())) out.push([`${prefix}${key}`, v.trim()]);
    else if (typeof v === 'object' && v !== null && !Array.isArray(v) && depth > 0) out.push(...urlFields(v, `${prefix}${key}.`, depth - 1));
  }
  return out;
}

/** Checks every URL field; resolves with the issues (`{path, message}`), empty when all may be used. */
export async function checkUrlFields(policy: Pick<NetPolicy, 'checkUrl'>, fields: [string, string][]): Promise<{ path: string; message: string }[]> {
  const issues: { path: string; message: string }[] = [];
  for (const [path, url] of fields) {
    const reason = await policy.checkUrl(url);
    if (reason) issues.push({ path, message: `refused: ${reason} (set TRIBUTARY_ALLOW_PRIVATE_NETWORK=true or list the host in TRIBUTARY_ALLOWED_HOSTS to allow it)` });
  }
  return issues;
}

/** Where each creating route keeps the URLs it will call: body keys, by `METHOD route`. */
const URL_BODIES: Record<string, readonly string[]> = {
  'POST /v1/workspaces/:ws/sources': ['config', 'credentials'],
  'PATCH /v1/workspaces/:ws/sources/:id': ['config', 'credentials'],
  'POST /v1/workspaces/:ws/destinations': ['', 'config'],
};

/**
 * Refuses, with a 400 naming the field, the URLs a source or destination is created or changed with
 * when they point at private addresses. Runs after authentication (so strangers cannot make the
 * server resolve names) and reads the body once, capped, through {@link readJsonBody}, which hands
 * the route the same result: a second read of a clone would wait for ever past the limit.
 */
export function urlCheckMiddleware(policy: Pick<NetPolicy, 'checkUrl'>, maxBodyBytes: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const keys = URL_BODIES[`${c.req.method} ${c.get('route')}`];
    if (keys) {
      let body: unknown;
      try {
        // The one read of the body, capped: the route gets the same result (readJsonBody keeps it).
        body = await readJsonBody(c.req.raw, maxBodyBytes);
      } catch {
        // The route answers a body it cannot read with its own error (the same one, from the same read).
        body = undefined;
      }
      const fields = keys.flatMap((key) => {
        if (typeof body !== 'object' || body === null) return [];
        return key === '' ? urlFields(body, '', 0) : urlFields((body as Record<string, unknown>)[key], `${key}.`);
      });
      const issues = await checkUrlFields(policy, fields);
      if (issues.length > 0) throw createError('api', 'validation', `${issues[0]!.path}: ${issues[0]!.message}`, { issues });
    }
    await next();
  };
}
