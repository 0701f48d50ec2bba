/**
 * Light English lemmatization: plural nouns to the singular and -ing forms to the bare verb. Suffix
 * rules with exception lists, no dictionary: the goal is that every form of a word lands on one key
 * ("uploads", "uploading", "upload"), and that the key reads as a word.
 */

const set = (text: string): ReadonlySet<string> => new Set(text.trim().split(/\s+/));

const IRREGULAR_PLURALS: ReadonlyMap<string, string> = new Map([
  ['ads', 'ad'],
  ['children', 'child'],
  ['men', 'man'],
  ['women', 'woman'],
  ['mice', 'mouse'],
  ['feet', 'foot'],
  ['teeth', 'tooth'],
  ['geese', 'goose'],
  ['criteria', 'criterion'],
  ['phenomena', 'phenomenon'],
  ['analyses', 'analysis'],
  ['diagnoses', 'diagnosis'],
  ['indices', 'index'],
  ['matrices', 'matrix'],
  ['vertices', 'vertex'],
  ['appendices', 'appendix'],
  ['knives', 'knife'],
  ['lives', 'life'],
  ['wives', 'wife'],
  ['leaves', 'leaf'],
  ['halves', 'half'],
  ['shelves', 'shelf'],
  ['wolves', 'wolf'],
  ['thieves', 'thief'],
  ['selves', 'self'],
  ['calves', 'calf'],
  ['loaves', 'loaf'],
]);

/** Words ending in s that are not plurals (or whose plural is the same word). */
const INVARIANT = set(`
news series species status bus gas lens canvas alias atlas bias chaos basis crisis thesis axis always perhaps plus thus
ios macos tvos watchos ipados windows aws sms mms gps css dns https http sass saas paas iaas kubernetes postgres redis
jenkins rails express analytics physics mathematics economics statistics logistics electronics graphics ethics politics
lyrics diabetes measles mumps means headquarters whereabouts species corps chassis debris gross cross across
`);

/** -ies plurals of -ie nouns (not -y): "cookies" is not "cooky". */
const IE_PLURALS = set(`
cookies movies selfies zombies rookies calories freebies newbies smoothies hoodies goodies veggies techies pies ties
lies dies hippies genies brownies aussies budgies birdies sweeties cuties lassies collies eyries`);

/** -es plurals after ch/sh/x/s/z where the singular ends in e. */
const E_PLURALS = set(`caches niches headaches aches cliches tranches avalanches microfiches moustaches`);

/** -uses and -oes plurals that drop -es (the default drops only -s: "causes" → "cause"). */
const ES_PLURALS = set(`
buses statuses viruses bonuses campuses censuses focuses geniuses prospectuses potatoes tomatoes heroes echoes vetoes
torpedoes mosquitoes volcanoes dominoes cargoes mangoes embargoes`);

/** The singular of a lower-case word (unchanged when it does not look plural). */
export function singular(word: string): string {
  const irregular = IRREGULAR_PLURALS.get(word);
  if (irregular) return irregular;
  if (word.length <= 3 || !word.endsWith('s') || INVARIANT.has(word)) return word;
  if (word.endsWith('ss') || word.endsWith('us') || word.endsWith('is') || word.endsWith('ous') || word.endsWith("'s")) return word;
  if (word.endsWith('ies')) return IE_PLURALS.has(word) ? word.slice(0, -1) : `${word.slice(0, -3)}y`;
  if (E_PLURALS.has(word)) return word.slice(0, -1);
  if (ES_PLURALS.has(word)) return word.slice(0, -2);
  if (/(?:ch|sh|x|zz|ss)es$/.test(word)) return word.slice(0, -2);
  // "-i" / "-a" plurals of loan words (data, media) are left alone: they are used as singulars.
  return word.slice(0, -1);
}

/**
 * Multi-syllable verb stems that lose a final e before -ing and cannot be told apart by rule:
 * "sharing" → "share" but "editing" → "edit".
 */
const E_STEMS = set(`
change share save make take use close create update delete complete configure compare manage schedule store type
write move remove improve receive include exclude provide decide like name require combine define determine continue
cause pause choose compute execute route mute force solve escape vote invoke merge purchase release restore ignore
explore score analyse analyze organise organize customise customize optimise optimize archive navigate validate
translate integrate migrate generate activate automate subscribe unsubscribe describe upgrade downgrade trade fade guide
hide ride slide code decode encode resize size rename replace place trace face produce reduce introduce enforce notice
price serve preserve reserve observe handle toggle enable disable bundle scale file compile profile style rule settle
cache serve refuse confuse abuse accuse excuse diagnose dispose expose compose propose suppose impose rate refine
prepare declare squeeze freeze breathe bathe clothe tune prune lose arrange range engage manage damage message package
age stage page judge charge merge emerge surge purge exchange challenge acknowledge pledge lodge dodge bridge edge wedge
issue argue value queue rescue continue pursue revenue ensure assure measure capture feature secure cure`);

/** Bare verbs ending in a double letter that is part of the word: "adding" → "add", not "ad". */
const DOUBLE_STEMS = set(`add odd egg err buzz fizz jazz purr bill fill kill sell tell spell install scroll roll poll pull
pass miss kiss press access process dress guess bless toss boss stuff sniff staff buff scoff cuff`);

const VOWEL = /[aeiouy]/;

/**
 * The bare verb of an -ing form ("uploading" → "upload", "sharing" → "share", "running" → "run").
 * Returns the word unchanged when it does not end in -ing or the rest is too short to be a verb.
 */
export function ingBase(word: string): string {
  if (!word.endsWith('ing') || word.length < 5) return word;
  const stem = word.slice(0, -3);
  if (!VOWEL.test(stem)) return word;
  if (E_STEMS.has(`${stem}e`)) return `${stem}e`;
  if (DOUBLE_STEMS.has(stem)) return stem;
  // Doubled final consonant: "running", "logging", "shopping" (but "ll", "ss", "zz" stay: "installing").
  const double = /([bdfgmnprtvz])\1$/.exec(stem);
  if (double) return stem.slice(0, -1);
  // -at, -bl, -iz, -yz, -ur stems take the e back: "updating", "enabling", "organizing".
  if (/(?:[^aeiou]at|bl|iz|yz|[^aeiou]ur|dl|tl|gl|pl|cl|fl|kl|zl)$/.test(stem) && stem.length >= 3) return `${stem}e`;
  // A short stem ending consonant-vowel-consonant was a silent-e word: "saving", "coding", "filing".
  if (/^[^aeiouy]*[aeiouy][^aeiouwxy]$/.test(stem)) return `${stem}e`;
  return stem;
}
