/**
 * Words whose sentiment depends on the words around them. Internal to the sentiment analyzer.
 *
 * Each of these words is praise or pleasure in one use and neutral (often a complaint) in another, so a
 * fixed valence misreads one of them: "I wish I was there" longs for something, "I wish it worked" is a
 * complaint; a "holiday party" is a pleasure, a "third-party plugin" is not; "it went well" is praise,
 * "Well, ..." opens a sentence and "as well" means "too". The rules below give the word a valence only
 * in the use that carries one.
 */
import { AGREEMENT } from './lexicon-words.js';
import { TokenKind, type Token } from './tokens.js';

/** The words the rules below decide; any other word takes its valence from the lexicon. */
export const CONTEXT_WORDS: ReadonlySet<string> = new Set(['wish', 'wishes', 'party', 'parties', 'well', 'worse', 'rocks', 'rocked', 'rocking', 'play', 'plays', 'played', 'playing', 'ok', 'okay', 'alright']);

/** Longing for a place or company ("wish I was there", "wish we were with you") is warm, not a complaint. */
const WISH_LONGING = 1.2;
/** Good wishes to someone ("best wishes", "birthday wishes"). */
const GOOD_WISHES = 1.6;
/** A celebration ("our holiday party"). */
const CELEBRATION = 1.2;
/** "well" as a judgement of how something went or was made ("slept well", "well designed"). */
const WELL_DONE = 1.4;
/** "Get well (soon)". */
const GET_WELL = 1.6;
/** "It rocks", "rocking my new shirt": slang praise. */
const ROCKS = 1.8;
/** Playing music, games or with someone: a pastime. */
const PLAY = 1;
/** "It could have been worse": relief, mildly positive. */
const COULD_BE_WORSE = 0.8;

const WISH_SUBJECTS = new Set(['i', 'we']);
const WISH_VERBS = new Set(['was', 'were', 'could', "could've", 'couldve', 'had', 'would', "i'd", "we'd", 'be', 'been']);
const WISH_PLACES = new Set(['there', 'here', 'with', 'home']);
const WISHES_BEFORE = new Set(['best', 'warm', 'warmest', 'well', 'good', 'kind', 'kindest', 'birthday', 'bday', 'holiday', 'happy']);

/** Words before "party" that make it a celebration rather than a political party or a "third party". */
const CELEBRATIONS = new Set([
  'birthday', 'bday', 'b-day', 'holiday', 'christmas', 'xmas', 'halloween', 'easter', 'dance', 'street', 'block', 'house',
  'pool', 'garden', 'beach', 'tea', 'launch', 'release', 'welcome', 'farewell', 'surprise', 'costume', 'themed', 'viewing',
  'watch', 'engagement', 'graduation', 'housewarming', 'cocktail', 'slumber', 'pajama', 'pyjama', 'karaoke', 'office',
  'christening', 'anniversary', 'retirement', 'wedding', "year's", 'years', 'bachelor', 'bachelorette', 'hen', 'stag',
]);

/** Degree words after which "well" judges quality ("very well", "so well"); "as well" and "may well" do not. */
const WELL_DEGREE = new Set([
  'so', 'very', 'really', 'pretty', 'quite', 'extremely', 'fairly', 'reasonably', 'remarkably', 'incredibly', 'amazingly',
  'surprisingly', 'exceptionally', 'particularly', 'super', 'perfectly', 'equally', 'wonderfully', 'beautifully',
]);
/** Verbs after which "well" says the thing went or was done well ("it went well", "sleep well"). */
const WELL_VERBS = new Set([
  'go', 'goes', 'going', 'went', 'gone', 'do', 'does', 'doing', 'did', 'done', 'work', 'works', 'working', 'worked',
  'sleep', 'sleeps', 'slept', 'sleeping', 'perform', 'performs', 'run', 'runs', 'ran', 'running', 'hold', 'holds', 'held',
  'fit', 'fits', 'sell', 'sells', 'sold', 'behave', 'behaves', 'write', 'writes', 'wrote', 'written', 'made', 'built',
  'feel', 'feels', 'feeling', 'eat', 'eating', 'ate', 'pay', 'pays', 'paid', 'age', 'ages', 'play', 'plays', 'live', 'lived',
  'turn', 'turns', 'turned', 'turning', 'end', 'ends', 'ended', 'come', 'comes', 'came', 'serve', 'serves', 'served',
]);
const MODALS = new Set(['may', 'might', 'could', 'would', 'should', 'must', "you'd", "i'd", "we'd", "they'd", "he'd", "she'd", "it'd"]);
/** Participles after which "well" is praise ("well designed") even without a verb before it. */
const WELL_PARTICIPLES = new Set(['made', 'built', 'done', 'written', 'thought', 'kept', 'spent', 'run']);
/** Words ending in "-ed" that are not participles. */
const NOT_PARTICIPLES = new Set(['need', 'needed', 'feed', 'speed', 'seed', 'breed', 'indeed', 'shed']);

/** "could", "might": the counterfactual in "it could have been worse". */
const COUNTERFACTUAL = new Set(['could', "could've", 'couldve', 'might', "might've", 'mightve']);
const COUNTERFACTUAL_FILLER = new Set(['be', 'been', 'have', 'get', 'got', 'a', 'lot', 'much', 'way', 'far', 'even', 'always', 'so', 'any']);

/**
 * The valence of the word at `i` in its context, or `undefined` when the context says nothing and the
 * lexicon decides. `0` silences the word.
 */
export function contextValence(tokens: readonly Token[], i: number): number | undefined {
  const key = tokens[i]!.key;
  switch (key) {
    case 'wish':
      return wish(tokens, i);
    case 'wishes':
      return WISHES_BEFORE.has(wordAt(tokens, i - 1)) ? GOOD_WISHES : undefined;
    case 'party':
    case 'parties':
      return CELEBRATIONS.has(wordAt(tokens, i - 1)) ? CELEBRATION : undefined;
    case 'well':
      return well(tokens, i);
    case 'rocks':
    case 'rocked':
    case 'rocking':
      return rocks(tokens, i) ? ROCKS : undefined;
    case 'play':
    case 'plays':
    case 'played':
    case 'playing':
      return playsForFun(tokens, i) ? PLAY : undefined;
    case 'worse':
      return couldBeWorse(tokens, i) ? COULD_BE_WORSE : undefined;
    case 'ok':
    case 'okay':
    case 'alright':
      return judgesSomething(tokens, i) ? undefined : AGREEMENT;
    default:
      return undefined;
  }
}

/**
 * "I wish!" and "wish I was there" long for something good; "I wish it worked", "wish the camera had
 * a zoom" and "wishing I was watching something else" are complaints, which the lexicon leaves neutral.
 */
function wish(tokens: readonly Token[], i: number): number | undefined {
  const before = wordAt(tokens, i - 1);
  const next = tokens[i + 1];
  if (WISH_SUBJECTS.has(before) && (!next || next.kind === TokenKind.Stop)) return WISH_LONGING;
  if (!WISH_SUBJECTS.has(wordAt(tokens, i + 1))) return undefined;
  // "wish I could be there", "wish we were with you": a verb, then a place or company within a few words.
  if (!WISH_VERBS.has(wordAt(tokens, i + 2))) return undefined;
  for (let k = i + 3; k < Math.min(tokens.length, i + 6); k++) {
    const t = tokens[k]!;
    if (t.kind !== TokenKind.Word) return undefined;
    if (WISH_PLACES.has(t.key)) return WISH_LONGING;
  }
  return undefined;
}

function well(tokens: readonly Token[], i: number): number | undefined {
  const before = wordAt(tokens, i - 1);
  // "as well" (too), "oh well" (resignation), "could very well" and "would do well to" (likelihood, advice).
  if (before === 'as' || before === 'oh' || MODALS.has(wordAt(tokens, i - 2)) || MODALS.has(before)) return undefined;
  if (before === 'get' || before === 'gets' || before === 'getting') return GET_WELL;
  if (WELL_DEGREE.has(before) || WELL_VERBS.has(before) || isParticiple(before)) return WELL_DONE;
  const after = wordAt(tokens, i + 1);
  if (WELL_PARTICIPLES.has(after) || isParticiple(after)) return WELL_DONE;
  return undefined;
}

/** Words before "rocks" that make it stones ("ice and rocks", "the rocks") rather than a verb of praise. */
const ROCK_NOUN_BEFORE = new Set(['the', 'a', 'of', 'and', 'or', 'with', 'some', 'these', 'those', 'on', 'in', 'into', 'at', 'from', 'big', 'small', 'throw', 'throwing', 'threw', 'hit', 'sharp', 'loose', 'no']);
/** Objects and ends after which "rocks", "rocked", "rocking" praise ("it rocks!", "rocked the show", "rocking my shirt"). */
const ROCK_AFTER = new Set(['my', 'the', 'your', 'his', 'her', 'our', 'their', 'this', 'that', 'it', 'out', 'hard', 'so', 'big', 'too']);

function rocks(tokens: readonly Token[], i: number): boolean {
  const before = tokens[i - 1];
  if (before && before.kind === TokenKind.Word && ROCK_NOUN_BEFORE.has(before.key)) return false;
  const after = tokens[i + 1];
  return !after || after.kind !== TokenKind.Word || ROCK_AFTER.has(after.key);
}

/**
 * What one plays for fun: instruments, games, sports; "play with" someone. Not "music" or "video": a
 * device that plays them is doing its job, not having fun.
 */
const PLAY_OBJECTS = new Set([
  'drums', 'drum', 'guitar', 'guitars', 'piano', 'bass', 'violin', 'cello', 'ukulele', 'uke', 'saxophone', 'sax', 'trumpet',
  'keyboard', 'banjo', 'harmonica', 'flute', 'games', 'game', 'videogames', 'cards',
  'poker', 'chess', 'scrabble', 'golf', 'tennis', 'football', 'soccer', 'basketball', 'baseball', 'hockey', 'ball', 'catch',
  'pool', 'darts', 'board', 'video', 'outside', 'together', 'dress-up', 'pretend',
]);
const PLAY_WITH = new Set(['the', 'my', 'our', 'your', 'his', 'her', 'their', 'me', 'us', 'him', 'them', 'friends', 'kids', 'children', 'dogs', 'cats']);
const PLAY_SKIP = new Set(['the', 'some', 'a', 'my', 'our', 'his', 'her', 'their', 'more', 'new', 'with']);

/**
 * "playing drums", "play some games", "played with the kids" are pastimes; "it won't play" is a complaint (the
 * negation flips the pastime), and "the play button", "Google Play", "play a role" carry nothing.
 */
function playsForFun(tokens: readonly Token[], i: number): boolean {
  const next = wordAt(tokens, i + 1);
  if (next === 'with') return PLAY_WITH.has(wordAt(tokens, i + 2));
  for (let k = i + 1; k <= i + 3; k++) {
    const word = wordAt(tokens, k);
    if (PLAY_OBJECTS.has(word)) return true;
    if (!PLAY_SKIP.has(word)) return false;
  }
  return false;
}

function isParticiple(word: string): boolean {
  return word.length >= 4 && word.endsWith('ed') && !NOT_PARTICIPLES.has(word);
}

/** "It could have been worse", "couldve been a lot worse": "could" or "might" a few words before. */
function couldBeWorse(tokens: readonly Token[], i: number): boolean {
  for (let k = i - 1; k >= Math.max(0, i - 6); k--) {
    const t = tokens[k]!;
    if (t.kind !== TokenKind.Word) return false;
    if (COUNTERFACTUAL.has(t.key)) return true;
    if (!COUNTERFACTUAL_FILLER.has(t.key)) return false;
  }
  return false;
}

const CF_MODALS = new Set(['would', 'could', 'should', 'might', "i'd", "it'd", "you'd", "we'd", "that'd", "they'd"]);
const CF_PAST_MODALS = new Set(["would've", "could've", "should've", "might've", 'wouldve', 'couldve', 'shouldve']);
/** Positive words ending in "-er" that are not comparatives ("that would be super"). */
const NOT_COMPARATIVES = new Set(['super', 'clever', 'tender', 'eager', 'cheer', 'winner', 'supporter', 'defender', 'lifesaver', 'blockbuster', 'empower', 'proper', 'wonder']);
const CF_FILLER = new Set(['so', 'very', 'really', 'much', 'a', 'lot', 'way', 'far', 'even', 'also', 'too', 'just', 'quite', 'pretty', 'super']);

/**
 * A positive word in a wish for something missing: "a remote would have been nice", "a better design sure
 * would be nice", "it would be great if it synced", "would be good to have folders", "a transmitter would
 * be much nicer". Reviews and feedback use these to say what is lacking, so they read as mild complaints.
 * Hypotheticals that look forward ("that would be very cool", "it would be perfect for a bathroom") are
 * left alone.
 */
export function isWishedFor(tokens: readonly Token[], i: number): boolean {
  let k = i - 1;
  while (k >= 0 && CF_FILLER.has(wordAt(tokens, k))) k--;
  const be = wordAt(tokens, k);
  let past = false;
  if (be === 'been') {
    const have = wordAt(tokens, k - 1);
    if (CF_PAST_MODALS.has(have)) past = true;
    else if (have === 'have' && CF_MODALS.has(wordAt(tokens, k - 2))) past = true;
    else return false;
  } else if (be !== 'be' || !CF_MODALS.has(wordAt(tokens, k - 1))) {
    return false;
  }
  if (past) return true;
  const key = tokens[i]!.key;
  if (key === 'better' || (key.endsWith('er') && key.length > 4 && !NOT_COMPARATIVES.has(key))) return true;
  const next = wordAt(tokens, i + 1);
  return next === 'if' || (next === 'to' && wordAt(tokens, i + 2) === 'have');
}

/** Linking verbs and degree words after which "ok" judges something ("it's ok", "looks okay", "pretty ok"). */
const OK_JUDGED = new Set([
  'is', 'was', 'are', 'were', 'be', 'been', 'being', 'am', "it's", 'its', "that's", 'thats', "i'm", 'im', "you're", "we're",
  "they're", "he's", "she's", 'look', 'looks', 'looked', 'seem', 'seems', 'seemed', 'sound', 'sounds', 'sounded', 'feel',
  'feels', 'felt', 'work', 'works', 'worked', 'turned', 'went', 'pretty', 'just', 'really', 'quite', 'fairly', 'mostly',
  'totally', 'perfectly', 'only', 'still', 'all',
]);

/**
 * "It's ok", "the sound is okay": a lukewarm verdict, which the lexicon rates. "Ok, let's see", "ok x",
 * "OK gonna try this": an affirmation that agrees or moves on, not praise.
 */
function judgesSomething(tokens: readonly Token[], i: number): boolean {
  return OK_JUDGED.has(wordAt(tokens, i - 1));
}

/** The key of the word at `k`, or '' when `k` is outside the text or not a word. */
function wordAt(tokens: readonly Token[], k: number): string {
  const t = tokens[k];
  return t && t.kind === TokenKind.Word ? t.key : '';
}
