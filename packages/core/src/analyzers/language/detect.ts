/**
 * Language identification: the writing system first, then, inside scripts several languages share
 * (Latin, Cyrillic, Arabic), character trigram profiles, very frequent words and letters only some
 * languages use. Internal to the language analyzer.
 */
import { COMMON_WORDS } from './common-words.js';
import { scriptOf, SINGLE_LANGUAGE_SCRIPTS, type Script } from './scripts.js';
import { TRIGRAM_PROFILES } from './trigram-profiles.js';

export interface Detection {
  /** ISO 639-1 code, or `und`. */
  code: string;
  confidence: number;
  /** Runner-up languages with their share, best first (multi-language scripts only). */
  alternatives: { code: string; confidence: number }[];
}

export interface DetectSettings {
  /** Restrict the answer to these codes (others are never returned). */
  only?: ReadonlySet<string>;
  /** Fewer letters than this (ideographs count three) is `und`. */
  minLetters: number;
  /** Below this confidence the answer is `und`. */
  minConfidence: number;
}

const UND = (confidence = 0): Detection => ({ code: 'und', confidence, alternatives: [] });

/** Evidence weights, in nats (natural-log units), tuned on the unit-test sentences and the tuning part of bench/language.ts. */
const WORD_MATCH = 3;
/** Overlapping trigrams are far from independent; counting each fully makes short texts overconfident. */
const TRIGRAM_WEIGHT = 0.5;
const CUE = 2;
const CUE_CAP = 3;
/** Log-probability of a trigram outside a profile, and the rank offset of the Zipf curve inside it. */
const UNSEEN = -8.5;
const RANK_OFFSET = 20;
/** Share of a text's trigrams found in the best profile below which (with no frequent word) it resembles no language. */
const NO_FIT = 0.2;

/**
 * Log prior odds: languages less often met in feedback need a little more evidence, so that a short text
 * in Portuguese is not called Galician on one shared trigram.
 */
const PRIOR: Readonly<Record<string, number>> = {
  sk: -0.5, sl: -0.5, hr: -0.5, bg: -0.5, ca: -0.5, et: -0.5, lt: -0.5, lv: -0.5, sr: -0.5,
  gl: -1.5, af: -1.5, sq: -1.5, is: -1.5, ga: -1.5, cy: -1.5, eu: -1.5, tl: -1.5, sw: -1.5, kk: -1.5, mk: -1, be: -1,
};

/** Letters only some of the languages of a script use. */
const CUES: Readonly<Record<string, readonly string[]>> = {
  ä: ['de', 'sv', 'fi', 'et', 'sk'], ö: ['de', 'sv', 'fi', 'et', 'hu', 'tr', 'is'], ü: ['de', 'tr', 'hu', 'et'],
  ť: ['cs', 'sk'], ď: ['cs', 'sk'], ň: ['cs', 'sk'], ý: ['cs', 'sk', 'is'], ž: ['cs', 'sk', 'hr', 'sl', 'lt', 'lv'],
  š: ['cs', 'sk', 'hr', 'sl', 'lt', 'lv', 'et', 'fi'], č: ['cs', 'sk', 'hr', 'sl', 'lt', 'lv'],
  ñ: ['es', 'gl'], ã: ['pt'], õ: ['pt', 'et'], ç: ['fr', 'pt', 'ca', 'tr', 'sq'], ß: ['de'], å: ['sv', 'da', 'no'],
  æ: ['da', 'no', 'is'], ø: ['da', 'no'], ő: ['hu'], ű: ['hu'], ł: ['pl'], ż: ['pl'], ś: ['pl'], ć: ['pl', 'hr'], ń: ['pl'],
  ź: ['pl'], ą: ['pl', 'lt'], ę: ['pl', 'lt'], ř: ['cs'], ů: ['cs'], ě: ['cs'], ľ: ['sk'], ĺ: ['sk'], ŕ: ['sk'], ô: ['sk', 'fr', 'pt', 'vi'],
  ș: ['ro'], ț: ['ro'], ş: ['tr', 'ro'], ţ: ['ro'], ă: ['ro', 'vi'], ğ: ['tr'], ı: ['tr'], đ: ['hr', 'vi'], ð: ['is'], þ: ['is'],
  ā: ['lv'], ē: ['lv'], ī: ['lv'], ū: ['lv', 'lt'], ģ: ['lv'], ķ: ['lv'], ļ: ['lv'], ņ: ['lv'], ė: ['lt'], ų: ['lt'], į: ['lt'],
  ơ: ['vi'], ư: ['vi'], ë: ['sq', 'nl', 'af'], ŵ: ['cy'], ŷ: ['cy'],
  і: ['uk', 'be', 'kk'], ї: ['uk'], є: ['uk'], ґ: ['uk'], ў: ['be'], ы: ['ru', 'be'], э: ['ru', 'be'], ё: ['ru', 'be'],
  ъ: ['ru', 'bg'], ђ: ['sr'], ћ: ['sr'], џ: ['sr', 'mk'], љ: ['sr', 'mk'], њ: ['sr', 'mk'], ј: ['sr', 'mk'], ѓ: ['mk'], ќ: ['mk'],
  ѕ: ['mk'], ә: ['kk'], ғ: ['kk'], қ: ['kk'], ң: ['kk'], ө: ['kk'], ұ: ['kk'], ү: ['kk'], һ: ['kk'],
  پ: ['fa', 'ur'], چ: ['fa', 'ur'], ژ: ['fa', 'ur'], گ: ['fa', 'ur'], ک: ['fa', 'ur'], ی: ['fa', 'ur'], ٹ: ['ur'], ڈ: ['ur'],
  ڑ: ['ur'], ں: ['ur'], ے: ['ur'], ھ: ['ur'], ة: ['ar'], ى: ['ar'], إ: ['ar'], ك: ['ar'], ي: ['ar'],
};

interface Models {
  codes: string[];
  scripts: Script[];
  /** Model indexes of each script, so a text is scored only against the languages of its script. */
  byScript: Map<Script, number[]>;
  /** Cue letters by code point: the model indexes of the languages that use each. */
  cues: Map<number, number[]>;
  /** Trigram → pairs of (model index, log-probability), so a text's trigrams are looked up once for all models. */
  trigrams: Map<string, number[]>;
  /** Word → indexes of the models whose frequent-word list has it. */
  words: Map<string, number[]>;
}

let models: Models | undefined;

function loadModels(): Models {
  if (models) return models;
  const built: Models = { codes: [], scripts: [], byScript: new Map(), cues: new Map(), trigrams: new Map(), words: new Map() };
  let z = 0;
  for (let r = 0; r < 300; r++) z += 1 / (r + RANK_OFFSET);
  for (const [code, profile] of Object.entries(TRIGRAM_PROFILES)) {
    const firstLetter = [...profile].find((ch) => scriptOf(ch.codePointAt(0)!) !== undefined);
    const script = firstLetter ? scriptOf(firstLetter.codePointAt(0)!) : undefined;
    if (!script) continue;
    const index = built.codes.length;
    built.codes.push(code);
    built.scripts.push(script);
    const ofScript = built.byScript.get(script) ?? [];
    ofScript.push(index);
    built.byScript.set(script, ofScript);
    // Half the probability mass on the top 300 trigrams, Zipf-shaped by rank.
    for (let r = 0; r * 3 < profile.length; r++) {
      const t = profile.slice(r * 3, r * 3 + 3);
      const postings = built.trigrams.get(t) ?? [];
      postings.push(index, Math.log(0.5 / ((r + RANK_OFFSET) * z)));
      built.trigrams.set(t, postings);
    }
    for (const word of new Set((COMMON_WORDS[code] ?? '').split(' '))) {
      if (!word) continue;
      const list = built.words.get(word) ?? [];
      list.push(index);
      built.words.set(word, list);
    }
  }
  for (const [letter, codes] of Object.entries(CUES)) {
    built.cues.set(letter.codePointAt(0)!, codes.map((c) => built.codes.indexOf(c)).filter((k) => k >= 0));
  }
  models = built;
  return built;
}

/**
 * Links, e-mail addresses, @handles and #tags: not words of any language. The e-mail alternative starts
 * only at the start of a run without spaces or "@" and cannot cross an "@": the earlier `\S+@\S+\.\S+`
 * backtracked cubically on a run such as "a@a@a@…" (seconds on 4,000 characters).
 */
const URLS = /\b(?:https?:\/\/|www\.)\S+|(?<![^\s@])[^\s@]+@[^\s@]+\.[^\s@]+|[@#][\p{L}\p{N}_]+/gu;
const NOT_LETTER = /[^\p{L}\p{M}']+/gu;
const COMBINING = /\p{M}/u;
/** The language of a long text shows in its first few thousand characters. */
const MAX_CHARS = 4000;

/** Identifies the language of a text. */
export function detect(input: string, settings: DetectSettings): Detection {
  const text = input.slice(0, MAX_CHARS).normalize('NFC').replace(URLS, ' ');
  // ASCII letters are counted apart: most text is Latin, and a Map update per character was a good
  // share of the analyzer's time. Where each script first appears breaks ties between scripts, as the
  // insertion order of one Map did before.
  const counts = new Map<Script, number>();
  const firstAt = new Map<Script, number>();
  let ascii = 0;
  let firstAscii = -1;
  let letters = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
        if (ascii++ === 0) firstAscii = i;
      }
      continue;
    }
    const cp = text.codePointAt(i)!;
    if (cp > 0xffff) i++;
    const script = scriptOf(cp);
    if (!script) continue;
    const seen = counts.get(script);
    if (seen === undefined) firstAt.set(script, i);
    counts.set(script, (seen ?? 0) + 1);
    letters++;
  }
  if (ascii > 0) {
    counts.set('Latin', (counts.get('Latin') ?? 0) + ascii);
    firstAt.set('Latin', Math.min(firstAt.get('Latin') ?? firstAscii, firstAscii));
  }
  letters += ascii;
  if (letters === 0) return UND();
  const han = counts.get('Han') ?? 0;
  const kana = counts.get('Kana') ?? 0;
  let dominant: Script = 'Latin';
  let best = -1;
  let bestAt = Infinity;
  for (const [script, n] of counts) {
    const at = firstAt.get(script)!;
    if (n > best || (n === best && at < bestAt)) {
      best = n;
      bestAt = at;
      dominant = script;
    }
  }
  // Japanese mixes kanji and kana; Chinese has no kana. Korean may mix in hanja.
  const cjk = han + kana;
  if ((dominant === 'Han' || dominant === 'Kana') && cjk >= best) {
    const weight = cjk * 3;
    if (weight < settings.minLetters) return UND(0.1);
    const code = kana > 0 && kana >= 0.1 * cjk ? 'ja' : 'zh';
    return finish([{ code, confidence: (cjk / letters) * lengthFactor(weight) }], settings);
  }
  const share = best / letters;
  const single = SINGLE_LANGUAGE_SCRIPTS[dominant];
  if (single) {
    const weight = dominant === 'Hangul' || dominant === 'Thai' ? best * 2 : best;
    if (weight < settings.minLetters) return UND(0.1);
    return finish([{ code: single, confidence: share * lengthFactor(weight) }], settings);
  }
  if (best < settings.minLetters) return UND(0.1);
  return finish(scoreScript(text, dominant, best, settings).map((c) => ({ ...c, confidence: c.confidence * share })), settings);
}

function finish(ranked: { code: string; confidence: number }[], settings: DetectSettings): Detection {
  const allowed = settings.only ? ranked.filter((r) => settings.only!.has(r.code)) : ranked;
  const top = allowed[0];
  if (!top || top.confidence < settings.minConfidence) return UND(top ? round(top.confidence) : 0);
  return { code: top.code, confidence: round(top.confidence), alternatives: allowed.slice(1, 4).map((a) => ({ code: a.code, confidence: round(a.confidence) })) };
}

/** Ranks the languages of one script; confidences are posterior shares scaled by how much text there is. */
function scoreScript(text: string, script: Script, letterCount: number, settings: DetectSettings): { code: string; confidence: number }[] {
  const m = loadModels();
  const count = m.codes.length;
  const lower = text.slice(0, MAX_CHARS).toLowerCase().replace(/’/g, "'");
  const words: string[] = [];
  for (const raw of lower.split(NOT_LETTER)) {
    const w = raw.charCodeAt(0) === 39 || raw.charCodeAt(raw.length - 1) === 39 ? raw.replace(/^'+|'+$/g, '') : raw;
    if (w.length > 0 && inScript(w, script)) words.push(w);
  }
  if (words.length === 0) return [];

  const fit = new Float64Array(count);
  const hits = new Float64Array(count);
  const wordHits = new Float64Array(count);
  let total = 0;
  // Each trigram occurrence goes straight to the models: counting them in a Map first cost as much as
  // the lookups themselves.
  for (const word of words) {
    const padded = ` ${word.includes("'") ? word.replace(/'/g, ' ') : word} `;
    for (let i = 0; i + 3 <= padded.length; i++) {
      total++;
      const postings = m.trigrams.get(padded.slice(i, i + 3));
      if (!postings) continue;
      for (let p = 0; p < postings.length; p += 2) {
        const k = postings[p]!;
        fit[k]! += postings[p + 1]! - UNSEEN;
        hits[k]!++;
      }
    }
    const list = m.words.get(word);
    if (list) for (const k of list) wordHits[k]!++;
  }
  // Cue letters, and Vietnamese letters with a tone mark (Latin Extended Additional, U+1EA0–U+1EF9, hardly
  // used by any other language), all lie beyond ASCII, which is skipped at once.
  const cueCounts = new Map<number, number>();
  let vietnameseTones = 0;
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if (c < 0xc0) continue;
    if (c >= 0x1ea0 && c <= 0x1ef9) vietnameseTones++;
    else if (m.cues.has(c)) cueCounts.set(c, (cueCounts.get(c) ?? 0) + 1);
  }
  const cuesOf = new Float64Array(count);
  for (const [c, n] of cueCounts) for (const k of m.cues.get(c)!) cuesOf[k]! += Math.min(n, CUE_CAP);

  const scores: { code: string; score: number; hitRate: number; wordHits: number }[] = [];
  for (const k of m.byScript.get(script) ?? []) {
    const code = m.codes[k]!;
    if (settings.only && !settings.only.has(code)) continue;
    let cues = cuesOf[k]!;
    if (code === 'vi') cues += 2 * Math.min(vietnameseTones, CUE_CAP);
    const score = (total * UNSEEN + fit[k]!) * TRIGRAM_WEIGHT + WORD_MATCH * wordHits[k]! + CUE * cues + (PRIOR[code] ?? 0);
    scores.push({ code, score, hitRate: hits[k]! / total, wordHits: wordHits[k]! });
  }
  if (scores.length === 0) return [];
  scores.sort((a, b) => b.score - a.score);
  const top = scores[0]!;
  // A text unlike every profile (names, code, keyboard mash) is undetermined rather than forced.
  if (script === 'Latin' && top.hitRate < NO_FIT && top.wordHits === 0 && cueCounts.size === 0 && vietnameseTones === 0) {
    return [{ code: 'und', confidence: 0.1 }];
  }
  let z = 0;
  for (const s of scores) z += Math.exp(s.score - top.score);
  const factor = lengthFactor(letterCount);
  // The answer and three alternatives are all anyone reads (see finish); the rest only count in z.
  return scores.slice(0, 4).map((s) => ({ code: s.code, confidence: (Math.exp(s.score - top.score) / z) * factor }));
}

function inScript(word: string, script: Script): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c === 39 /* ' */) continue;
    const cp = word.codePointAt(i)!;
    if (cp > 0xffff) i++;
    if (scriptOf(cp) !== script && !COMBINING.test(String.fromCodePoint(cp))) return false;
  }
  return true;
}

/** Short texts are weaker evidence: 1 from about 40 letters on, about 0.5 at 8. */
function lengthFactor(letters: number): number {
  return Math.min(1, 0.35 + letters / 50);
}

function round(x: number): number {
  return Math.round(x * 1e3) / 1e3;
}
