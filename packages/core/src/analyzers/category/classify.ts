import type { CategoryLabel } from '../../record/schema.js';
import { CUES, HYPOTHETICAL_BEFORE, NEGATION_BEFORE, PAST_BEFORE, RAW_BUG_CUES, SARCASM, type CuedCategory } from './cues.js';

/** The category of one text, with the score of every category. */
export interface Classification {
  label: CategoryLabel;
  /** 0..1: the winning category's share of the evidence (a softmax over the scores). */
  confidence: number;
  scores: Record<CategoryLabel, number>;
}

/** What the classifier reads besides the text. */
export interface ClassifySignals {
  /** From the sentiment analyzer, -1..1. Without it, only word cues speak for praise and complaint. */
  sentiment?: number;
}

/** Tuning of the classifier. */
export interface ClassifySettings {
  /** Score of `other`: the evidence another category needs to win. */
  otherScore: number;
}

/** When two categories score the same, the more actionable wins. */
const PRIORITY: readonly CategoryLabel[] = ['bug_report', 'feature_request', 'question', 'complaint', 'praise', 'other'];
const CATEGORIES = Object.keys(CUES) as CuedCategory[];
/** A contrast puts the weight of the message on what follows: "great app, but it crashes". */
const CONTRAST = /\s(?:but|however|except|unfortunately|sadly)\s/;
const QUESTION_START = /(?:^|[.!?]\s+)(?:how|what|where|when|why|which|who|is|are|does|do|can|could|will|would|should|did|has|have|any)\b[^.!?]*\?/;

/**
 * Classifies one text by cue phrases, punctuation and (when given) sentiment. Deterministic.
 * Cues after a contrast ("but", "however") count more than cues before it; a praise word under a
 * negation ("not great") or in the past ("used to be great") counts for complaint instead, and so do the
 * praise words and positive sentiment of a sarcastic text; a malfunction explains negative sentiment,
 * so sentiment counts less for complaint when a bug cue is present; a request or malfunction phrased
 * as a question is not a question.
 */
export function classify(text: string, signals: ClassifySignals, settings: ClassifySettings): Classification {
  const normalized = normalize(text);
  const scores: Record<CategoryLabel, number> = { bug_report: 0, feature_request: 0, question: 0, complaint: 0, praise: 0, other: settings.otherScore };

  const gates = cueGates();
  for (const { segment, weight, final } of segments(normalized)) {
    for (const category of CATEGORIES) {
      if (gates[category]?.test(segment) === false) continue;
      for (const c of CUES[category]) {
        const m = c.pattern.exec(segment);
        if (!m) continue;
        const before = segment.slice(Math.max(0, m.index - 24), m.index);
        // "not great" is a complaint and "never disappointed" praise.
        if ((category === 'praise' || category === 'complaint') && NEGATION_BEFORE.test(before)) {
          scores[category === 'praise' ? 'complaint' : 'praise'] += c.weight * weight * 0.8;
          continue;
        }
        // "It would be amazing" wishes for something.
        if (category === 'praise' && HYPOTHETICAL_BEFORE.test(before)) {
          scores.feature_request += c.weight * weight;
          continue;
        }
        // "It used to be great" measures a decline.
        if (category === 'praise' && PAST_BEFORE.test(before)) {
          scores.complaint += c.weight * weight;
          continue;
        }
        // The opener before a "but" is mostly politeness: "great app, but …".
        scores[category] += c.weight * weight * (category === 'praise' && !final ? 0.5 : 1);
      }
    }
  }
  for (const c of RAW_BUG_CUES) if (c.pattern.test(text)) scores.bug_report += c.weight;
  // A request or a malfunction put as a question ("any plans to support…?", "why does it freeze?") is
  // still a request or a report: its question mark counts half.
  const questionForm = scores.feature_request >= 3 || scores.bug_report >= 3 ? 0.5 : 1;
  if (/\?\s*(?:$|\n|[a-z])/.test(normalized) || normalized.trimEnd().endsWith('?')) scores.question += 1.5 * questionForm;
  if (QUESTION_START.test(normalized)) scores.question += questionForm;

  const sarcastic = SARCASM.test(normalized);
  if (sarcastic) {
    scores.complaint += scores.praise;
    scores.praise = 0;
  }
  if (signals.sentiment !== undefined && Number.isFinite(signals.sentiment)) {
    const s = Math.max(-1, Math.min(1, signals.sentiment));
    scores[sarcastic ? 'complaint' : 'praise'] += Math.max(0, s) * 3;
    scores.complaint += Math.max(0, -s) * 3 * (scores.bug_report >= 2 ? 0.4 : 1);
  }

  let label: CategoryLabel = 'other';
  for (const category of PRIORITY) if (scores[category] > scores[label] || (scores[category] === scores[label] && PRIORITY.indexOf(category) < PRIORITY.indexOf(label))) label = category;
  const total = PRIORITY.reduce((sum, c) => sum + Math.exp(scores[c]), 0);
  const confidence = Math.round((Math.exp(scores[label]) / total) * 1e4) / 1e4;
  for (const c of PRIORITY) scores[c] = Math.round(scores[c] * 1e4) / 1e4;
  return { label, confidence, scores };
}

let gateCache: Record<CuedCategory, RegExp | undefined> | undefined;

/**
 * One regex per category that matches wherever any of its cues would. Most texts hold no cue of a
 * given category, and one pass over the text rules them all out, where trying each cue is one pass per
 * cue (the classifier runs about twice as fast). A category with a flagged cue gets no gate. Built on
 * first use.
 */
function cueGates(): Record<CuedCategory, RegExp | undefined> {
  gateCache ??= Object.fromEntries(
    CATEGORIES.map((category) => {
      const cues = CUES[category];
      const gate = cues.every((c) => c.pattern.flags === '') ? new RegExp(cues.map((c) => `(?:${c.pattern.source})`).join('|')) : undefined;
      return [category, gate];
    }),
  ) as Record<CuedCategory, RegExp | undefined>;
  return gateCache;
}

/** Lower case, contractions expanded, one space between words. */
export function normalize(text: string): string {
  return ` ${text}`
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(CONTRACTION, (match, auxiliary: string | undefined) => (auxiliary ? `${auxiliary} not` : match.startsWith('w') ? 'will not' : 'can not'))
    .replace(/\s+/g, ' ');
}

/** "can't", "cannot", "cant", "won't" and "doesn't"-like contractions, in one pass over the text. */
const CONTRACTION = /\bcan(?:'t|not|t)\b|\bwon'?t\b|\b(do|does|did|is|are|was|were|could|would|should|have|has|had|must|need)n'?t\b/g;

/** Splits at contrasts; what follows the last contrast weighs more. */
function segments(normalized: string): { segment: string; weight: number; final: boolean }[] {
  const parts = normalized.split(CONTRAST);
  if (parts.length === 1) return [{ segment: normalized, weight: 1, final: true }];
  return parts.map((segment, i) => {
    const final = i === parts.length - 1;
    return { segment: ` ${segment} `, weight: final ? 1.2 : 1, final };
  });
}
