/**
 * Tokenizer for the sentiment rules: words, emoji, emoticons and the punctuation that bounds
 * negation scope. Internal to the sentiment analyzer.
 */
import { EMOTICONS } from './symbols.js';

export const TokenKind = {
  Word: 0,
  /** An emoji or emoticon; `key` is its lookup key. */
  Symbol: 1,
  /** Clause boundary (comma, semicolon, colon, dash, brackets): ends negation and booster scope. */
  Pause: 2,
  /** Sentence boundary (`.`, `!`, `?`, `…`, a line break). */
  Stop: 3,
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

export interface Token {
  kind: TokenKind;
  /** Lower-cased word, the emoji without variation selectors, the emoticon, or the punctuation run. */
  key: string;
  /** Written in capitals (two letters or more, none lower-case). */
  caps: boolean;
  /** Letters stretched for emphasis ("soooo"). */
  stretched: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/**
 * Emoji (with modifiers, variation selectors and joiners), words (letters, digits, inner apostrophes and
 * hyphens), sentence-ending runs and clause punctuation. Anything else (`#`, `@`, `*`, quotes) is skipped.
 */
const PIECE =
  /(\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}])*|[\u{1F1E6}-\u{1F1FF}]{2})|([\p{L}\p{M}\p{N}]+(?:['’\-][\p{L}\p{M}\p{N}]+)*)|([.!?…]+)|([,;:()[\]\u2013\u2014]|--)/gu;

/** Every emoticon has one of these characters, except the few made of letters only ("XD", "QQ"). */
const MAYBE_EMOTICON = /[:;=<^_\\/()[\]{}*]/;
const LETTER_EMOTICONS = new Set([...EMOTICONS.keys()].filter((e) => !MAYBE_EMOTICON.test(e)));
const HAS_LOWER = /\p{Ll}/u;
/** Words usually written in capitals, so capitals are no emphasis ("OK gonna try this"). */
const USUALLY_CAPS = new Set(['ok']);
const HAS_UPPER = /\p{Lu}/u;

/** Normalizes the text and splits it into tokens. */
export function tokenize(input: string): Token[] {
  const text = input.indexOf('&') >= 0 ? input.replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_m, e: string) => ENTITIES[e] ?? _m) : input;
  const tokens: Token[] = [];
  for (const line of text.split(/\r?\n/)) {
    for (const chunk of line.split(/\s+/)) {
      if (chunk === '') continue;
      readChunk(chunk, tokens);
    }
    const last = tokens[tokens.length - 1];
    if (last && last.kind !== TokenKind.Stop) tokens.push({ kind: TokenKind.Stop, key: '\n', caps: false, stretched: false });
  }
  return tokens;
}

function readChunk(chunk: string, out: Token[]): void {
  // Links and handles carry no sentiment, and their colons and slashes would read as emoticons.
  if (chunk.charCodeAt(0) === 64 /* @ */ || chunk.includes('://') || chunk.startsWith('www.')) return;
  const maybe = MAYBE_EMOTICON.test(chunk) || (chunk.length <= 8 && LETTER_EMOTICONS.has(chunk.replace(/[.,!?]+$/, '')));
  const emoticon = maybe ? matchEmoticon(chunk) : undefined;
  if (emoticon) {
    if (emoticon.before) readPieces(emoticon.before, out);
    out.push({ kind: TokenKind.Symbol, key: emoticon.key, caps: false, stretched: false });
    if (emoticon.after) readPieces(emoticon.after, out);
    return;
  }
  readPieces(chunk, out);
}

/** Finds an emoticon that is the whole chunk, or glued after a word ("great:)") or before punctuation (":),"). */
function matchEmoticon(chunk: string): { key: string; before: string; after: string } | undefined {
  const whole = emoticonKey(chunk);
  if (whole) return { key: whole, before: '', after: '' };
  // Trailing sentence or clause punctuation after the emoticon: ":)." or ":(,".
  const trimmed = chunk.replace(/[.,!?]+$/, '');
  if (trimmed !== chunk && trimmed.length >= 2) {
    const key = emoticonKey(trimmed);
    if (key) return { key, before: '', after: chunk.slice(trimmed.length) };
  }
  // Glued to the end of a word: only emoticons that start with punctuation, so "AND:" is not "D:".
  const glued = /^([\p{L}\p{N}]{2,}[.!?]*)([:;=]-?[()DP]+)$/u.exec(trimmed);
  if (glued) {
    const key = emoticonKey(glued[2]!);
    if (key) return { key, before: glued[1]!, after: chunk.slice(trimmed.length) };
  }
  return undefined;
}

function emoticonKey(s: string): string | undefined {
  if (EMOTICONS.has(s)) return s;
  // ":)))" and ":(((" repeat the mouth for emphasis.
  // Emoticons are short; the length check also keeps the backreference off a long run of one character.
  if (s.length > 2 && s.length <= 64) {
    const short = s.replace(/(.)\1+$/u, '$1');
    if (short !== s && EMOTICONS.has(short)) return short;
  }
  return undefined;
}

function readPieces(chunk: string, out: Token[]): void {
  PIECE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PIECE.exec(chunk)) !== null) {
    if (m[1] !== undefined) {
      out.push({ kind: TokenKind.Symbol, key: m[1].replace(/\uFE0F|[\u{1F3FB}-\u{1F3FF}]/gu, ''), caps: false, stretched: false });
    } else if (m[2] !== undefined) {
      const raw = m[2];
      let key = raw.toLowerCase();
      if (key.indexOf('’') >= 0) key = key.replace(/’/g, "'");
      const caps = raw.length >= 2 && !HAS_LOWER.test(raw) && HAS_UPPER.test(raw) && !USUALLY_CAPS.has(key);
      const stretched = hasTriple(key);
      out.push({ kind: TokenKind.Word, key, caps, stretched });
    } else if (m[3] !== undefined) {
      out.push({ kind: TokenKind.Stop, key: m[3], caps: false, stretched: false });
    } else {
      out.push({ kind: TokenKind.Pause, key: m[4]!, caps: false, stretched: false });
    }
  }
}

/**
 * A letter written three times in a row ("soooo"). A loop, not `/(.)\1\1+/`: on a word of a few
 * megabytes of one letter the backreference runs out of stack.
 */
function hasTriple(word: string): boolean {
  for (let i = 2; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c === word.charCodeAt(i - 1) && c === word.charCodeAt(i - 2)) return true;
  }
  return false;
}
