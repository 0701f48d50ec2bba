/**
 * @module @tributary/core/analyzers/remote
 * An analyzer that asks a remote model: a serverless function (POST `{ text, provides }`, answer: the
 * partial analysis as JSON) or an OpenAI-compatible chat completions endpoint (a JSON-schema or
 * JSON-mode prompt asking for the keys the analyzer provides). Answers are validated with zod, and
 * a bad answer fails the analyzer with a `connector` error, so the analyze stage is retried.
 *
 * Requests are paced by a {@link RateLimiter} (the same port the dispatcher uses: pass one shared
 * limiter, or the Redis one, to share a budget across processes), timed out, and retried on network
 * errors, timeouts, 408, 429 and 5xx, honouring `Retry-After`. Answers are cached by a hash of the
 * text and the analyzer's identity (name, version, endpoint, keys), in memory by default or in any
 * {@link AnalysisCache} such as {@link createStorageCache}; identical texts in flight share one request.
 */
import type { z } from 'zod';
import { defineAnalyzer, type Analyzer } from '../../analysis/index.js';
import { systemClock, type Clock } from '../../clock/index.js';
import type { FetchFunction } from '../../connector/index.js';
import { checkRateLimit, createLocalLimiter, type RateLimit, type RateLimiter } from '../../dispatcher/limiter.js';
import { createError } from '../../errors/index.js';
import { sha256Hex } from '../../record/ids.js';
import type { Analysis } from '../../record/schema.js';
import { redactPersonalData } from '../moderation/personal-data.js';
import { createLruCache, type AnalysisCache } from './cache.js';
import { analysisFromChatCompletion, analysisSchemaFor, openAIKnows, openAIRequest, serverlessRequest, type OpenAICompatibleOptions, type RemoteRequest } from './protocols.js';
import { sendJson, where, type SendSettings } from './request.js';

export interface RemoteAnalyzerOptions {
  /**
   * Names the analyzer in provenance and errors.
   * @default 'remote'
   */
  name?: string;
  /** Semver; bump it when the model or prompt changes, so stored records are re-analyzed (and the cache misses). */
  version: string;
  /**
   * The analysis keys the remote model answers, e.g. `['sentiment', 'category', 'topics']`. Only these
   * keys are taken from the answer, and all of them must be there.
   */
  provides: readonly string[];
  /** A serverless function: POST `{ text, provides }` → the partial analysis as JSON. Give this or `openAICompatible`. */
  url?: string;
  /** Extra headers for `url` (an API key, say). Never logged or put in errors. */
  headers?: Record<string, string>;
  /** An OpenAI-compatible chat completions endpoint. Give this or `url`. */
  openAICompatible?: OpenAICompatibleOptions;
  /** Validates the answer instead of the built-in analysis schema (for custom keys). */
  schema?: z.ZodType<Record<string, unknown>>;
  /**
   * Where answers are kept by content hash; `false` for none.
   * @default an in-memory LRU of 1000 answers ({@link createLruCache})
   */
  cache?: AnalysisCache | false;
  /**
   * Paces requests. Pass the limiter your dispatcher uses (and the same `limiterKey`) to share one
   * budget; `@tributary/adapters/redis` has one shared across processes.
   * @default an in-process token bucket ({@link createLocalLimiter}) on `clock`
   */
  limiter?: RateLimiter;
  /**
   * The endpoint's limit, a hard ceiling.
   * @default { perSecond: 5, burst: 5 }
   */
  rateLimit?: RateLimit;
  /** @default `analyzer:<name>:<origin of the endpoint>` */
  limiterKey?: string;
  /** Per attempt, until the answer is read. @default 30000 */
  timeoutMs?: number;
  /** Attempts per text, the first included. @default 3 */
  maxAttempts?: number;
  /** Cap of the first backoff; doubles per attempt (full jitter). @default 500 */
  baseDelayMs?: number;
  /** @default 10000 */
  maxDelayMs?: number;
  /** A longer `Retry-After` fails the analyzer at once (with `retryAfterMs`) instead of waiting. @default 60000 */
  maxRetryAfterMs?: number;
  /** Longer texts are cut to this many characters before sending (and hashing). @default 8000 */
  maxChars?: number;
  /**
   * Replace e-mail addresses, phone numbers, card numbers, IBANs and IP addresses with placeholders
   * before the text leaves the process (see `redactPersonalData` in `@tributary/core/analyzers/moderation`).
   * @default false
   */
  redactPersonalData?: boolean;
  /** @default globalThis.fetch, looked up per call */
  fetch?: FetchFunction;
  /** Times out requests and sleeps between attempts. @default systemClock */
  clock?: Clock;
  /** Source of the backoff jitter. @default Math.random */
  random?: () => number;
}

/** The remote analyzer, with the means to release its limiter. */
export interface RemoteAnalyzer extends Analyzer {
  /** Stops the limiter it created (a limiter passed in is left alone). */
  dispose(): Promise<void>;
}

/**
 * Creates an analyzer backed by a remote model.
 *
 * @example
 * ```ts
 * const llm = createRemoteAnalyzer({
 *   version: '1.0.0',
 *   provides: ['sentiment', 'category', 'topics'],
 *   openAICompatible: { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKey: process.env.OPENAI_API_KEY },
 *   rateLimit: { perSecond: 2, burst: 4 },
 * });
 * const analyzers = [languageAnalyzer, llm, moderationAnalyzer];
 * ```
 * @throws TributaryError `config` when neither or both of `url` and `openAICompatible` are given, or a key cannot be asked for
 */
export function createRemoteAnalyzer(options: RemoteAnalyzerOptions): RemoteAnalyzer {
  const name = options.name ?? 'remote';
  const component = `analyzer:${name}`;
  const provides = [...options.provides];
  if (!!options.url === !!options.openAICompatible) throw createError(component, 'config', 'give either `url` (a serverless function) or `openAICompatible`, not both or neither');
  if (provides.length === 0) throw createError(component, 'config', '`provides` must name at least one analysis key');
  const openAI = options.openAICompatible;
  const unknown = openAI ? provides.filter((key) => !openAIKnows(key, openAI)) : [];
  if (unknown.length > 0) throw createError(component, 'config', `no JSON schema for ${unknown.join(', ')}: give one in \`openAICompatible.schemas\``);
  const endpoint = openAI ? `${openAI.baseUrl.replace(/\/+$/, '')}/chat/completions` : options.url!;
  const rateLimit = checkRateLimit(options.rateLimit ?? { perSecond: 5, burst: 5 });
  const clock = options.clock ?? systemClock;
  const ownLimiter = options.limiter ? undefined : createLocalLimiter({ clock });
  const settings: SendSettings = {
    component,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    clock,
    limiter: options.limiter ?? ownLimiter!,
    limiterKey: options.limiterKey ?? `${component}:${safeOrigin(endpoint)}`,
    rateLimit,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? 3)),
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    random: options.random ?? Math.random,
  };
  const schema = options.schema ?? analysisSchemaFor(provides);
  const cache = options.cache === false ? undefined : (options.cache ?? createLruCache());
  const maxChars = options.maxChars ?? 8000;
  // The model, the prompt's keys and the analyzer version all change answers, so all are in the key.
  const identity = JSON.stringify([name, options.version, endpoint, openAI?.model ?? null, openAI?.instructions ?? null, [...provides].sort()]);
  const inFlight = new Map<string, Promise<Partial<Analysis>>>();

  const validate = (answer: unknown): Partial<Analysis> => {
    const parsed = schema.safeParse(answer);
    if (parsed.success) return parsed.data as Partial<Analysis>;
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    const first = issues[0];
    throw createError(component, 'connector', `invalid answer from ${where(endpoint)}${first ? ` (${first.path || 'body'}: ${first.message})` : ''}`, { retryable: true, issues, cause: parsed.error });
  };

  const ask = async (text: string, key: string, signal: AbortSignal): Promise<Partial<Analysis>> => {
    const cached = await readCache(cache, key);
    if (cached) {
      try {
        return validate(cached);
      } catch {
        // An entry written by another version of this code: ask again.
      }
    }
    const request: RemoteRequest = openAI ? openAIRequest(openAI, text, provides) : serverlessRequest(endpoint, text, provides, options.headers);
    const body = await sendJson(request, settings, signal);
    let answer: unknown = body;
    if (openAI) {
      try {
        answer = analysisFromChatCompletion(body);
      } catch (error) {
        throw createError(component, 'connector', `invalid answer from ${where(endpoint)}: ${(error as Error).message}`, { retryable: true });
      }
    }
    const analysis = validate(answer);
    await writeCache(cache, key, analysis);
    return analysis;
  };

  return {
    ...defineAnalyzer({
      name,
      version: options.version,
      provides,
      async analyze({ text }, { signal }): Promise<Partial<Analysis>> {
        if (text.trim() === '') return {};
        let sent = text.length > maxChars ? text.slice(0, maxChars) : text;
        if (options.redactPersonalData) sent = redactPersonalData(sent);
        const key = sha256Hex(`${identity}\u0000${sent}`);
        // A second caller with the same text waits for the first one's request (and shares its fate if
        // that caller aborts: the queue redelivers it like any failure).
        let pending = inFlight.get(key);
        if (!pending) {
          pending = ask(sent, key, signal).finally(() => inFlight.delete(key));
          inFlight.set(key, pending);
        }
        return pending;
      },
    }),
    async dispose() {
      await ownLimiter?.dispose();
    },
  };
}

async function readCache(cache: AnalysisCache | undefined, key: string): Promise<Partial<Analysis> | undefined> {
  if (!cache) return undefined;
  try {
    return (await cache.get(key)) ?? undefined;
  } catch {
    // A cache that cannot be read costs a request, not the analysis.
    return undefined;
  }
}

async function writeCache(cache: AnalysisCache | undefined, key: string, value: Partial<Analysis>): Promise<void> {
  if (!cache) return;
  try {
    await cache.set(key, value);
  } catch {
    // Same: the answer is good even if it could not be kept.
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

export { createLruCache, createStorageCache, type AnalysisCache } from './cache.js';
export type { OpenAICompatibleOptions } from './protocols.js';
