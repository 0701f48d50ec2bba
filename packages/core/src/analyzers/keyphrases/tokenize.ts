import { singular } from './lemma.js';
import { BOUNDARY_WORDS, CONNECTOR_WORDS, DETERMINERS, LEADING_VERBS, LY_WORDS, rewritePhrasalVerbs } from './words.js';

/** One word of the text, as the phrase builder sees it. */
export interface Token {
  /** Lower case, possessive removed. */
  norm: string;
  /** Singular of `norm`. */
  lemma: string;
  /**
   * `content` may be part of a phrase; `verb` may continue one but not start it ("bug fix", but not
   * "fix login"); `of` may join two; `det` is skipped after `of`; `stop` ends a phrase.
   */
  kind: 'content' | 'verb' | 'of' | 'det' | 'stop';
}

/**
 * Spans that are never phrases: URLs, e-mail addresses, @mentions, code-like runs ("com.example.Foo",
 * "snake_case", "v1.2.3", "C:\\path") and HTML entities ("&amp;"), which are replaced by a line break
 * so they also end the phrase around them.
 *
 * The e-mail and code-like alternatives may start only where a run of their characters starts (the
 * lookbehinds): without them a long run with no separator in it ("xxxx…", 64 KB) is scanned to its end
 * from every position, which is quadratic (seconds for one record).
 */
const NOT_WORDS = /(?:https?:\/\/|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w@])@\w+|(?<!\w)\w+(?:(?:\.(?=[a-z0-9])|::|_|\\|->)\w+)+(?:\(\))?|\b\d+(?:[.,:/-]\d+)+\b|&(?:[a-z]+|#\d+);/g;
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*/gu;
/** Numbers with an optional unit or ordinal suffix ("2", "10pm", "3rd", "500mb"): never content. */
const NUMBER = /^\d+(?:st|nd|rd|th|am|pm|s|x|k|m|kb|mb|gb|tb|ms|h|hr|hrs|min|mins|sec|secs)?$/;

/**
 * Splits a text into tokens, with `stop` tokens wherever punctuation or a line break separates words,
 * so that no phrase spans a sentence or clause boundary.
 */
export function tokenize(text: string): Token[] {
  const cleaned = rewritePhrasalVerbs(text.replace(NOT_WORDS, '\n'));
  const tokens: Token[] = [];
  let last = 0;
  for (const match of cleaned.matchAll(WORD)) {
    const start = match.index;
    // Anything but spaces between two words (a comma, a full stop, a line break) ends a phrase.
    if (tokens.length > 0 && !onlySpaces(cleaned, last, start)) tokens.push(STOP);
    last = start + match[0].length;
    tokens.push(classify(match[0]));
  }
  return tokens;
}

function onlySpaces(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

const STOP: Token = { norm: '', lemma: '', kind: 'stop' };

/**
 * Tokens by their raw form. Word frequencies are skewed, so most tokens of a text were seen before;
 * the memo is emptied when full so memory stays bounded.
 */
const memo = new Map<string, Token>();

function classify(raw: string): Token {
  let token = memo.get(raw);
  if (!token) {
    if (memo.size >= 50_000) memo.clear();
    token = classifyNew(raw);
    memo.set(raw, token);
  }
  return token;
}

function classifyNew(raw: string): Token {
  let norm = raw.toLowerCase().replace(/’/g, "'");
  if (norm.endsWith("'s")) norm = norm.slice(0, -2);
  if (CONNECTOR_WORDS.has(norm)) return { norm, lemma: norm, kind: 'of' };
  if (DETERMINERS.has(norm)) return { norm, lemma: norm, kind: 'det' };
  if (norm.length < 2 || norm.length > 30 || BOUNDARY_WORDS.has(norm) || NUMBER.test(norm) || norm.includes("'")) return { norm, lemma: norm, kind: 'stop' };
  if (norm.length >= 5 && norm.endsWith('ly') && !LY_WORDS.has(norm)) return { norm, lemma: norm, kind: 'stop' };
  if (LEADING_VERBS.has(norm)) return { norm, lemma: norm, kind: 'verb' };
  return { norm, lemma: singular(norm), kind: 'content' };
}
