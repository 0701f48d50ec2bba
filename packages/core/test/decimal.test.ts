import { describe, expect, it } from 'vitest';
import { Decimal, addDecimals } from '@tributary/core/decimal';
import { isTributaryError } from '@tributary/core/errors';

describe('Decimal', () => {
  it('sums exactly where floating point does not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(addDecimals('0.1', '0.2')).toBe('0.3');
    expect(addDecimals(0.1, 0.2)).toBe('0.3');
    expect(Decimal.sum(Array.from({ length: 1000 }, () => '0.001')).toString()).toBe('1');
  });

  it('parses signs, fractions and exponents into canonical strings', () => {
    expect(Decimal.parse('-12.500').toString()).toBe('-12.5');
    expect(Decimal.parse('+3').toString()).toBe('3');
    expect(Decimal.parse('1e3').toString()).toBe('1000');
    expect(Decimal.parse('1.5e-3').toString()).toBe('0.0015');
    expect(Decimal.parse('0.000').toString()).toBe('0');
    expect(Decimal.parse(123456789012345678901234567890n).toString()).toBe('123456789012345678901234567890');
  });

  it('keeps precision beyond what a double holds', () => {
    expect(addDecimals('9007199254740993.01', '0.02')).toBe('9007199254740993.03');
  });

  it('subtracts, compares and negates', () => {
    expect(Decimal.parse('1').minus('0.9').toString()).toBe('0.1');
    expect(Decimal.parse('2.50').compare('2.5')).toBe(0);
    expect(Decimal.parse('-1').compare('0')).toBe(-1);
    expect(Decimal.parse('10').gt('9.999')).toBe(true);
    expect(Decimal.parse('3').negated().toString()).toBe('-3');
    expect(JSON.stringify({ v: Decimal.parse('1.10') })).toBe('{"v":"1.1"}');
  });

  it('rejects what is not a decimal with a validation error', () => {
    for (const bad of ['', 'abc', '1.2.3', '1,5', 'NaN', '0x10', ' - 1']) {
      try {
        Decimal.parse(bad);
        throw new Error(`accepted ${bad}`);
      } catch (e) {
        expect(isTributaryError(e, 'validation')).toBe(true);
      }
    }
    expect(() => Decimal.parse(Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(Decimal.isValid('12.5')).toBe(true);
    expect(Decimal.isValid({})).toBe(false);
  });
});
