/**
 * Writing-system detection by code point ranges. Internal to the language analyzer.
 */

/** Scripts we tell apart. Scripts used by one language in practice map straight to it. */
export type Script =
  | 'Latin' | 'Cyrillic' | 'Arabic' | 'Greek' | 'Hebrew' | 'Devanagari' | 'Bengali' | 'Gurmukhi' | 'Gujarati' | 'Tamil'
  | 'Telugu' | 'Kannada' | 'Malayalam' | 'Sinhala' | 'Thai' | 'Lao' | 'Khmer' | 'Myanmar' | 'Georgian' | 'Armenian'
  | 'Ethiopic' | 'Hangul' | 'Kana' | 'Han';

/** The language a script alone identifies (Han and Kana are decided together, see the analyzer). */
export const SINGLE_LANGUAGE_SCRIPTS: Readonly<Partial<Record<Script, string>>> = {
  Greek: 'el', Hebrew: 'he', Devanagari: 'hi', Bengali: 'bn', Gurmukhi: 'pa', Gujarati: 'gu', Tamil: 'ta', Telugu: 'te',
  Kannada: 'kn', Malayalam: 'ml', Sinhala: 'si', Thai: 'th', Lao: 'lo', Khmer: 'km', Myanmar: 'my', Georgian: 'ka',
  Armenian: 'hy', Ethiopic: 'am', Hangul: 'ko',
};

const RANGES: ReadonlyArray<readonly [number, number, Script]> = ([
  [0x0041, 0x005a, 'Latin'], [0x0061, 0x007a, 'Latin'], [0x00c0, 0x024f, 'Latin'], [0x1e00, 0x1eff, 'Latin'],
  [0x0370, 0x03ff, 'Greek'], [0x1f00, 0x1fff, 'Greek'],
  [0x0400, 0x052f, 'Cyrillic'],
  [0x0531, 0x058f, 'Armenian'],
  [0x0590, 0x05ff, 'Hebrew'],
  [0x0600, 0x06ff, 'Arabic'], [0x0750, 0x077f, 'Arabic'], [0xfb50, 0xfdff, 'Arabic'], [0xfe70, 0xfeff, 'Arabic'],
  [0x0900, 0x097f, 'Devanagari'], [0x0980, 0x09ff, 'Bengali'], [0x0a00, 0x0a7f, 'Gurmukhi'], [0x0a80, 0x0aff, 'Gujarati'],
  [0x0b80, 0x0bff, 'Tamil'], [0x0c00, 0x0c7f, 'Telugu'], [0x0c80, 0x0cff, 'Kannada'], [0x0d00, 0x0d7f, 'Malayalam'],
  [0x0d80, 0x0dff, 'Sinhala'], [0x0e00, 0x0e7f, 'Thai'], [0x0e80, 0x0eff, 'Lao'], [0x1000, 0x109f, 'Myanmar'],
  [0x10a0, 0x10ff, 'Georgian'], [0x1200, 0x139f, 'Ethiopic'], [0x1780, 0x17ff, 'Khmer'],
  [0x1100, 0x11ff, 'Hangul'], [0x3130, 0x318f, 'Hangul'], [0xac00, 0xd7af, 'Hangul'],
  [0x3040, 0x309f, 'Kana'], [0x30a0, 0x30ff, 'Kana'], [0x31f0, 0x31ff, 'Kana'], [0xff66, 0xff9f, 'Kana'],
  [0x3400, 0x4dbf, 'Han'], [0x4e00, 0x9fff, 'Han'], [0xf900, 0xfaff, 'Han'], [0x20000, 0x2ebef, 'Han'],
] as Array<readonly [number, number, Script]>).sort((a, b) => a[0] - b[0]);

/** The script of a code point, or undefined for digits, punctuation, symbols, marks and emoji. */
export function scriptOf(cp: number): Script | undefined {
  if (cp < 0x41) return undefined;
  if (cp <= 0x7a) return (cp <= 0x5a || cp >= 0x61) ? 'Latin' : undefined;
  if (cp < 0xc0) return undefined;
  // Latin-1 punctuation and the multiplication and division signs.
  if (cp === 0xd7 || cp === 0xf7) return undefined;
  let lo = 0;
  let hi = RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to, script] = RANGES[mid]!;
    if (cp < from) hi = mid - 1;
    else if (cp > to) lo = mid + 1;
    else return script;
  }
  return undefined;
}
