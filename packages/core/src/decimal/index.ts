/**
 * @module @tributary/core/decimal
 * Exact decimal numbers for record values (seed 003): sums of `0.1` and `0.2` are `0.3`, never
 * `0.30000000000000004`. Values travel as strings; arithmetic uses BigInt with a scale.
 */
import { createError } from '../errors/index.js';

const DECIMAL_PATTERN = /^([+-])?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** The canonical text form accepted by {@link Decimal.parse}: optional sign, digits, optional fraction. */
export const DECIMAL_STRING_PATTERN = /^-?\d+(\.\d+)?$/;

/** An immutable exact decimal: `units × 10^-scale`. */
export class Decimal {
  private constructor(
    /** The digits as an integer. */
    readonly units: bigint,
    /** How many of those digits are after the point. */
    readonly scale: number,
  ) {}

  static readonly ZERO = new Decimal(0n, 0);

  /**
   * Parses a decimal from a string (`"12.50"`, `"-3"`, `"1e-2"`) or a finite number.
   * Numbers are read through their shortest round-trip text, so `0.1` is exactly one tenth.
   * @throws TributaryError `validation` for anything else
   */
  static parse(input: string | number | bigint | Decimal): Decimal {
    if (input instanceof Decimal) return input;
    if (typeof input === 'bigint') return new Decimal(input, 0);
    if (typeof input === 'number' && !Number.isFinite(input)) {
      throw createError('decimal', 'validation', `not a finite number: ${input}`);
    }
    const text = String(input).trim();
    const match = DECIMAL_PATTERN.exec(text);
    if (!match) throw createError('decimal', 'validation', `not a decimal number: ${JSON.stringify(text).slice(0, 40)}`);
    const [, sign, whole, fraction = '', exponentText] = match;
    const exponent = exponentText ? Number(exponentText) : 0;
    if (Math.abs(exponent) > 1000) throw createError('decimal', 'validation', 'decimal exponent out of range');
    let units = BigInt(`${whole}${fraction}`);
    let scale = fraction.length - exponent;
    if (scale < 0) {
      units *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return new Decimal(sign === '-' ? -units : units, scale).normalize();
  }

  /** True when `input` parses as a decimal. */
  static isValid(input: unknown): boolean {
    if (typeof input !== 'string' && typeof input !== 'number') return false;
    try {
      Decimal.parse(input);
      return true;
    } catch {
      return false;
    }
  }

  /** Sums any number of decimals exactly. */
  static sum(values: Iterable<string | number | Decimal>): Decimal {
    let total = Decimal.ZERO;
    for (const v of values) total = total.plus(v);
    return total;
  }

  plus(other: string | number | Decimal): Decimal {
    const o = Decimal.parse(other);
    const scale = Math.max(this.scale, o.scale);
    return new Decimal(this.rescale(scale) + o.rescale(scale), scale).normalize();
  }

  minus(other: string | number | Decimal): Decimal {
    return this.plus(Decimal.parse(other).negated());
  }

  negated(): Decimal {
    return new Decimal(-this.units, this.scale);
  }

  /** -1, 0 or 1. */
  compare(other: string | number | Decimal): -1 | 0 | 1 {
    const o = Decimal.parse(other);
    const scale = Math.max(this.scale, o.scale);
    const a = this.rescale(scale);
    const b = o.rescale(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  gt(other: string | number | Decimal): boolean {
    return this.compare(other) > 0;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  /** The nearest JavaScript number (may round; for display and statistics, never for sums). */
  toNumber(): number {
    return Number(this.toString());
  }

  /** Plain notation without exponent or trailing zeros: `"0.3"`, `"-12"`, `"1000"`. */
  toString(): string {
    const negative = this.units < 0n;
    const digits = (negative ? -this.units : this.units).toString().padStart(this.scale + 1, '0');
    const whole = digits.slice(0, digits.length - this.scale);
    const fraction = digits.slice(digits.length - this.scale);
    return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
  }

  toJSON(): string {
    return this.toString();
  }

  private rescale(scale: number): bigint {
    return this.units * 10n ** BigInt(scale - this.scale);
  }

  private normalize(): Decimal {
    let { units, scale } = this;
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale--;
    }
    return scale === this.scale ? this : new Decimal(units, scale);
  }
}

/** Adds decimal strings exactly and returns the canonical string. */
export function addDecimals(...values: (string | number)[]): string {
  return Decimal.sum(values).toString();
}
