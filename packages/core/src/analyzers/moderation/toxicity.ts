import { PERSON_ONLY, PHRASE_RULES, PROFANE_INSULTS, WEIGHTS, type PhraseRule, type TermKind } from './lexicon.js';
import { normalizeWords, type Word } from './normalize.js';

/** What made a text toxic. */
export interface ToxicityHit {
  /** The lexicon term, or the name of a phrase rule (`threat`, `hate`, …). */
  term: string;
  kind: TermKind | 'phrase';
  weight: number;
}

/** Toxicity of one text. */
export interface ToxicityResult {
  /** 0..1: the chance-like combination of every hit, `1 − Π(1 − weight)`. */
  toxicity: number;
  /** Profanity or a slur was used. */
  profanity: boolean;
  hits: ToxicityHit[];
}

/** The phrase rules with the global flag, compiled on first use. */
let globalRules: PhraseRule[] | undefined;

/** Who an insult can be aimed at. */
const PERSON_REFS = new Set(
  'you u ur your youre yourself yourselves ya yall he she hes shes him her they theyre them dev devs developer developers guys people staff mods moderators admins admin ceo owner owners'.split(' '),
);
/** Words between a person and an insult aimed at them: "you are such an idiot", "they're total clowns". */
const BRIDGE = new Set(
  'a an the such so very total complete absolute utter bunch of are re r is be being were was am look looks sound sounds like seem seems just real really fucking freaking bloody damn stupid dumb little big fat'.split(' '),
);

/**
 * Scores the toxicity of a text from its insults, profanity, slurs, threats and hate phrases, with
 * obfuscation undone. An insult aimed at someone ("you idiot", "the devs are clowns") weighs more than
 * one that is not ("what an idiot thing to do"), and words that are also everyday product criticism
 * ("useless", "garbage") count only when aimed at a person.
 */
export function scoreToxicity(text: string): ToxicityResult {
  const words = normalizeWords(text);
  const hits: ToxicityHit[] = [];
  let profanity = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.term || !w.kind) continue;
    if (w.kind === 'profanity' || w.kind === 'slur') profanity = true;
    // Swearing is not aimed at anyone ("fucking great"); profanity that names a person can be.
    const directed = (w.kind !== 'profanity' || PROFANE_INSULTS.has(w.term)) && aimedAtPerson(words, i);
    const weight = PERSON_ONLY.has(w.term) ? (directed ? 0.55 : 0.05) : WEIGHTS[w.kind][directed ? 'directed' : 'plain'];
    hits.push({ term: w.term, kind: w.kind, weight });
  }
  const normalized = ` ${words.map((w) => w.word).join(' ')} `;
  globalRules ??= PHRASE_RULES.map((rule) => ({ ...rule, pattern: new RegExp(rule.pattern.source, 'g') }));
  for (const rule of globalRules) {
    const count = normalized.match(rule.pattern)?.length ?? 0;
    for (let k = 0; k < count; k++) hits.push({ term: rule.name, kind: 'phrase', weight: rule.weight });
    if (count > 0 && rule.profane) profanity = true;
  }
  const toxicity = 1 - hits.reduce((keep, h) => keep * (1 - h.weight), 1);
  return { toxicity: Math.round(toxicity * 1e4) / 1e4, profanity, hits };
}

function aimedAtPerson(words: readonly Word[], at: number): boolean {
  for (let i = at - 1; i >= 0 && at - i <= 6; i--) {
    const w = words[i]!.word;
    if (PERSON_REFS.has(w)) return true;
    if (!BRIDGE.has(w)) return false;
  }
  return false;
}
