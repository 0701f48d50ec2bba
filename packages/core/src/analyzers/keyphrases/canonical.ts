import { ingBase } from './lemma.js';
import type { Token } from './tokenize.js';
import { ACTION_VERBS, GENERIC_HEADS, GENERIC_TOPICS, HEAD_NOUNS, ING_NOUNS, PROBLEM_HEADS, VAGUE_HEADS } from './words.js';

/**
 * The topic key of a phrase: the same theme, however it is worded, gets the same key.
 * - words are lemmatized: plurals to the singular, -ing forms to the verb ("uploads", "uploading" → "upload");
 * - "A of B" becomes the compound "B A" ("upload of files" → "file upload"), or just "B" when A is a
 *   vague quantity ("the number of crashes" → "crash");
 * - an action before its object becomes a compound with the object first ("uploading files",
 *   "upload files" → "file upload"), unless the second word is a head noun the action modifies
 *   ("upload button" stays);
 * - heads that name no theme, or only that something is wrong, are stripped from the end ("file upload
 *   issue", "file upload crashes" → "file upload"), unless only a generic word would be left ("app crash").
 * Word order is otherwise kept: "sort order" and "order sort" are different things.
 *
 * @param ofAt index in `tokens` of the first word after "of", or -1
 */
export function topicKey(tokens: readonly Token[], ofAt: number): string {
  if (ofAt > 0) {
    const before = tokens.slice(0, ofAt);
    const after = tokens.slice(ofAt);
    const words = VAGUE_HEADS.has(before[before.length - 1]!.lemma) ? compound(after) : compound([...after, ...before]);
    return stripHeads(words, (w) => w).join(' ');
  }
  // Strip before reordering: in "uploading files crash" the action is "uploading files".
  const kept = stripHeads(tokens, (t) => t.lemma);
  const words = compound(kept);
  if (kept.length < tokens.length && words.length === 1 && GENERIC_TOPICS.has(words[0]!)) return compound(tokens).join(' ');
  return words.join(' ');
}

function stripHeads<T>(items: readonly T[], lemma: (item: T) => string): T[] {
  let end = items.length;
  while (end > 1 && (GENERIC_HEADS.has(lemma(items[end - 1]!)) || PROBLEM_HEADS.has(lemma(items[end - 1]!)))) end--;
  return items.slice(0, end);
}

function compound(tokens: readonly Token[]): string[] {
  const first = tokens[0];
  if (!first) return [];
  if (tokens.length >= 2 && isAction(first) && !HEAD_NOUNS.has(tokens[tokens.length - 1]!.lemma)) {
    return [...tokens.slice(1).map(word), word(first)];
  }
  return tokens.map(word);
}

/** An action named by a verb: a gerund ("uploading") or a bare action verb ("upload"). */
function isAction(token: Token): boolean {
  if (ACTION_VERBS.has(token.norm)) return true;
  return token.norm.endsWith('ing') && !ING_NOUNS.has(token.norm) && ingBase(token.norm) !== token.norm;
}

function word(token: Token): string {
  if (token.norm.endsWith('ing') && !ING_NOUNS.has(token.norm)) return ingBase(token.norm);
  return token.lemma;
}
