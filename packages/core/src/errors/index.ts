/**
 * @module @tributary/core/errors
 * One base error for the whole SDK. Every error carries a stable `code` and an optional `cause`;
 * check by code ({@link isTributaryError}) rather than `instanceof`, which fails across two copies
 * of the package.
 */

/** Stable machine-readable error codes. */
export type TributaryErrorCode =
  | 'validation'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'payload_too_large'
  | 'rate_limited'
  | 'timeout'
  | 'unavailable'
  | 'connector'
  | 'adapter'
  | 'target'
  | 'signature'
  | 'crypto'
  | 'config'
  | 'missing_dependency'
  | 'aborted'
  | 'internal';

const BRAND = Symbol.for('tributary.error');

/** One problem found in an input, with the path of the offending field. */
export interface FieldIssue {
  /** Dotted path of the field, e.g. `records.3.value`. Empty for the input as a whole. */
  path: string;
  message: string;
}

/** Options shared by every Tributary error. */
export interface TributaryErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** Where it happened, e.g. `{ connector: 'discourse', operation: 'fetch' }`. Never put secrets here. */
  context?: Record<string, unknown>;
  /** Field-level problems (validation errors). */
  issues?: FieldIssue[];
  /** Whether retrying the same operation later may succeed. */
  retryable?: boolean;
  /** For rate limits and outages: how long the caller should wait before retrying. */
  retryAfterMs?: number;
}

/**
 * The base error of Tributary. Messages start with the component they come from, e.g.
 * `[tributary] [discourse] fetch failed: …`.
 */
export class TributaryError extends Error {
  readonly code: TributaryErrorCode;
  readonly context: Record<string, unknown>;
  readonly issues: FieldIssue[];
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly [BRAND] = true;

  constructor(code: TributaryErrorCode, message: string, options: TributaryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TributaryError';
    this.code = code;
    this.context = options.context ?? {};
    this.issues = options.issues ?? [];
    this.retryable = options.retryable ?? defaultRetryable(code);
    this.retryAfterMs = options.retryAfterMs;
  }

  /** A JSON shape safe to send to clients: code, message and issues, never the cause's stack. */
  toJSON(): { error: { code: TributaryErrorCode; message: string; issues?: FieldIssue[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.issues.length ? { issues: this.issues } : {}),
      },
    };
  }
}

function defaultRetryable(code: TributaryErrorCode): boolean {
  return code === 'rate_limited' || code === 'timeout' || code === 'unavailable';
}

/** True when `error` is a Tributary error (from any copy of the package), optionally of one code. */
export function isTributaryError(error: unknown, code?: TributaryErrorCode): error is TributaryError {
  if (typeof error !== 'object' || error === null || !(BRAND in error)) return false;
  return code === undefined || (error as TributaryError).code === code;
}

/** Builds a Tributary error whose message names the component: `[tributary] [component] message`. */
export function createError(
  component: string,
  code: TributaryErrorCode,
  message: string,
  options?: TributaryErrorOptions,
): TributaryError {
  return new TributaryError(code, `[tributary] [${component}] ${message}`, options);
}

/** Minimal structural type of a zod error, so this module does not need zod at runtime. */
interface ZodLikeError {
  issues: { path: PropertyKey[]; message: string }[];
}

/** Turns a zod error into a `validation` error whose issues name each field. */
export function fromZodError(component: string, what: string, error: ZodLikeError, prefix: PropertyKey[] = []): TributaryError {
  const issues = error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  const where = first ? ` (${first.path || 'input'}: ${first.message})` : '';
  return createError(component, 'validation', `invalid ${what}${where}`, { issues, cause: error });
}

/** Thrown when an optional peer dependency (a database client, say) is not installed. */
export function missingDependency(component: string, pkg: string, cause?: unknown): TributaryError {
  return createError(component, 'missing_dependency', `this adapter needs the package "${pkg}": install it with \`npm install ${pkg}\``, { cause });
}

/** Normalizes anything thrown into an Error (keeps Tributary errors as they are). */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}
