/**
 * Word lists written for this project (not copied from another lexicon): valences on the -4..4 scale for
 * words AFINN-165 lacks, overrides where AFINN's rating misreads common use in reviews and posts, and the
 * words the rules treat specially (boosters, negators, phrases).
 */

/**
 * Valence of a bare affirmation ("yes", "yep", "ok x", "fair enough"): it agrees, it does not praise. Small
 * enough that an affirmation alone stays neutral under the default band, yet it still tips a text that has
 * nothing else.
 */
export const AGREEMENT = 0.15;

/**
 * Words AFINN-165 lacks, grouped by valence; used only where AFINN has no entry. Mostly the vocabulary of
 * product and film reviews, posts and opinion writing.
 */
export const EXTRA_WORDS: ReadonlyArray<readonly [number, string]> = [
  [3.2, 'masterful masterwork phenomenal sublime impeccable extraordinary spectacular'],
  [3, 'exceptional superlative marvellous gorgeous astonishing stellar genius must-see incredible'],
  [2.8, 'brilliantly ingenious enthralling captivating unforgettable heart-warming sensational transcendent ' +
    'luminous radiant magnificently exquisitely'],
  [2.5, 'compelling enchanting endearing touching moving profound mesmerising insightful witty talented gifted ' +
    'skillful skilful skilled inventive refreshing charismatic yay hooray yippee lovingly stunningly tasty ' +
    'scrumptious lovin luv fab ily'],
  [2.4, 'tremendous priceless spellbinding greatness beaut magical hilarity ingenuity artfully flavorful soulful ' +
    'pumped brighten brightens stoked psyched virtuoso'],
  [2.2, 'engaging absorbing evocative vivid stylish sleek crafted well-crafted well-made well-written well-acted ' +
    'believable convincing credible authentic genuine intimate affecting worthwhile satisfying pleasing ' +
    'dependable sturdy intuitive effortless versatile nicely deftly assured nuanced subtle sharp crisp smooth ' +
    'comfy cozy cosy unique timeless classic epic romp treat thrilling intriguing amusing wise congrat'],
  [1.8, 'fave fav blessed miraculous huzzah bravo wtg awe invigorate invigorating giveaway birthday'],
  [1.6, 'decent good-looking handy convenient inexpensive accurate quick speedy fast simple light lightweight ' +
    'compact quiet gentle realistic coherent efficient functional valuable practical sensible reasonable ' +
    'recommendable promising upbeat neat dope lit heh productive'],
  [1.4, 'smiley smiley-face revelation ably catchy bouncy shapely sensitivity talents magic wonders homie giggly ' +
    'giggle giggles tingly sunny'],
  [1, 'ok okay alright passable serviceable reasonably well-intentioned watchable readable provocative quirky ' +
    'offbeat sentimental nostalgic upgrade bonus plus perk smoother faster sharper brighter cheaper'],
  [0.8, 'surprised satisfy curiosity humbled sure ready lolz thx thanx ty tysm'],
  [AGREEMENT, 'yep yup'],
  [0.6, 'omg whoa'],
  // everyday exclamations of tweets and chat
  [2.2, 'woot w00t awsome awsum'],
  [-0.8, 'dang darn jeez geez doh'],
  [-1.2, 'gah whoops sheesh bah'],
  [-1.6, 'dammit'],
  [-2.4, 'sux'],
  [-0.6, 'meh hmm predictable pricey overpriced refund complicated overlong uneven inconsistent'],
  [-1.2, 'bland generic unremarkable uninteresting unexceptional mediocre so-so lackluster lacklustre tepid ' +
    'lukewarm formulaic derivative hackneyed clichéd cliched cliché cliche cliches clichés trite stale ' +
    'contrived implausible unconvincing far-fetched superficial shallow simplistic melodramatic schmaltzy ' +
    'mawkish maudlin saccharine syrupy cloying preachy heavy-handed self-indulgent indulgent pretentious ' +
    'overblown overdone meandering rambling aimless slow-moving tiresome tedious monotonous repetitive ' +
    'repetitious choppy muddled messy convoluted clunky stilted wooden flat static stiff amateurish cheesy ' +
    'corny hokey hammy campy dated flimsy cheaply pricy unreliable glitchy buggy laggy faulty fuzzy grainy ' +
    'muffled tinny scratched cracked leaks leaking leaky wobbly squeaky unresponsive freezes froze crashes ' +
    'crashed crashing overheats overheating disconnects dies jammed slow slower sluggish ennui stormy'],
  [-1.6, 'woes wept frighten frightens confusion lose loses dearth shitstorm hungover angst unproductive thief thieves theft'],
  [-2, 'unwatchable excruciating interminable insufferable unlikable unlikeable humorless humourless witless ' +
    'soulless brainless senseless unusable moronic absurd preposterous laughable drab banal inane vacuous ' +
    'puerile sophomoric juvenile vulgar tasteless tacky gratuitous exploitative exploitation manipulative ' +
    'smug grating shrill junk rubbish trash drivel dreck schlock letdown let-down underwhelming underwhelmed ' +
    'botched bungled shoddy subpar sub-par second-rate third-rate sucky argh grr ew eww yuck smh boo'],
  [-2.8, 'abysmal abominable dreadfully horribly awfully painfully wretched godawful god-awful disgraceful ' +
    'deplorable despicable nauseating sickening fml'],
  // news and opinion writing
  [-2.6, 'massacre genocide atrocities slaughter bloodshed carnage brutality tyranny tyrant dictatorship ' +
    'persecution starvation'],
  [-1.8, 'turmoil crackdown repression extremism terrorism insurgency insurgents militants casualties killings ' +
    'bigotry discrimination inequality plight misguided inhumane alarming worrisome unfairly negligence ' +
    'mismanagement decline deterioration'],
  [-1, 'divisive partisan polarizing polarized tensions opposition uncertainty unrest instability deficits ' +
    'layoffs shortfall'],
  [1.6, 'thriving flourishing generosity admirable commendable praiseworthy achievement recovery cooperation ' +
    'reconciliation equality liberty democracy resilience resilient'],
];

/** AFINN entries whose rating we replace (common in reviews and posts with another sense or weight). */
export const OVERRIDES: Readonly<Record<string, number>> = {
  // function words AFINN rates: here they are negators, boosters or fillers
  no: 0, yes: AGREEMENT, please: 0, want: 0.2, wants: 0.2, god: 0, help: 0.3, true: 0.6, kind: 1.4, pretty: 0.8,
  super: 2.2, like: 1.6, yeah: AGREEMENT, matter: 0, interest: 0.3, certain: 0, reach: 0, fit: 0.3, wish: 0, demands: 0,
  // words whose everyday sense in reviews, posts and news is weaker or neutral (names, genres, institutions)
  top: 0.6, care: 0.6, stop: -0.8, free: 0.8, joke: 0, jokes: 0, dear: 0.6, goofy: 0.3, responsible: 0.6, joking: 0.6,
  silly: 0, miss: -1, misses: -1, alone: -0.3, sore: -1.4, legal: 0, justice: 0.8, supreme: 0, authority: 0,
  safety: 0.4, democratic: 0.4, grand: 0.8, popular: 1.2, increase: 0.3, growing: 0.3, big: 0.3, better: 1.2,
  original: 1.4, special: 1, comic: 0.3, familiar: -0.6, leave: -0.3, novel: 0.5, hero: 0.8, support: 0.4, save: 0.8,
  gift: 0.8, shoot: 0, hope: 1, promise: 0.4, attraction: 0.8, determined: 0.8,
  // subject matter (a film about a murder, a report on a war) more than the writer's judgement
  crime: -1.6, criminal: -1.6, war: -1, murder: -1.6, tragedy: -1.2, tragic: -1.2, conflict: -0.8, battle: -0.4,
  jealousy: -0.8, grief: -1.2, chilling: 0, provoking: 0, diverting: 1, somber: -0.8, fight: -0.4, dangerous: -1,
  strange: -0.4, strangely: -0.4, odd: -0.4, hell: -1.6, flaws: -1, flawed: -1.4, dead: -2.2, lost: -1.4,
  // weights closer to how readers rate the word in reviews
  funny: 2, fun: 2.4, hilarious: 2.6, boring: -2.4, masterpiece: 3.2, 'no fun': -2, shit: -2.4, damn: -1.3,
  fuck: -2.6, fucking: -1.5, crap: -2.3, lol: 1.6, lmao: 2, haha: 2.2, hahaha: 2.4, startling: -0.4, aww: 0.8, awww: 0.8,
};

/**
 * Words that scale the sentiment word they precede (within three words of the same clause): a positive
 * value strengthens it, a negative one weakens it.
 */
export const BOOSTERS: Readonly<Record<string, number>> = {
  absolutely: 0.3, amazingly: 0.3, completely: 0.3, considerably: 0.3, decidedly: 0.3, deeply: 0.3, enormously: 0.3,
  entirely: 0.3, especially: 0.3, exceptionally: 0.3, extremely: 0.35, extraordinarily: 0.3, fabulously: 0.3, greatly: 0.3,
  highly: 0.3, hugely: 0.3, immensely: 0.3, incredibly: 0.3, insanely: 0.3, intensely: 0.3, majorly: 0.3, massively: 0.3,
  more: 0.2, most: 0.3, particularly: 0.3, purely: 0.3, quite: 0.15, really: 0.3, remarkably: 0.3, so: 0.3,
  substantially: 0.3, thoroughly: 0.3, totally: 0.3, tremendously: 0.3, truly: 0.3, uber: 0.3, unbelievably: 0.3,
  unusually: 0.3, utterly: 0.3, very: 0.3, super: 0.3, too: 0.2, such: 0.2, seriously: 0.2, ridiculously: 0.3, wildly: 0.3,
  absurdly: 0.3, spectacularly: 0.3, terribly: 0.3, awfully: 0.3, horribly: 0.3, painfully: 0.3, stupidly: 0.3, crazy: 0.2,
  dead: 0.2, freaking: 0.3, frickin: 0.3, friggin: 0.3, damn: 0.3, fucking: 0.3, hella: 0.3, mighty: 0.2, real: 0.2,
  way: 0.2, pretty: 0.05, rather: -0.1, fairly: -0.2,
  // adverbs that grade the next word, not derived praise: "simply the best" is not simple, "practically free" not practical
  simply: 0.2, genuinely: 0.3, strongly: 0.3, significantly: 0.3,
  criminally: 0.3, practically: -0.3,
  almost: -0.3, barely: -0.4, hardly: -0.4, scarcely: -0.4, less: -0.3, little: -0.25, marginally: -0.3, mildly: -0.3,
  occasionally: -0.3, partly: -0.3, partially: -0.3, slightly: -0.35, somewhat: -0.3, kinda: -0.3, sorta: -0.3,
  'kind of': -0.3, 'sort of': -0.3, 'a bit': -0.3, 'a little': -0.3, 'a tad': -0.3,
};

/** Words that flip (and soften) the sentiment of the next few words of their clause. */
export const NEGATORS: ReadonlySet<string> = new Set([
  'not', 'no', 'never', 'none', 'nobody', 'nothing', 'nowhere', 'neither', 'nor', 'cannot', 'without', 'nope', 'nah',
  'aint', 'dont', 'doesnt', 'didnt', 'isnt', 'wasnt', 'arent', 'werent', 'cant', 'couldnt', 'wouldnt', 'shouldnt',
  'wont', 'havent', 'hasnt', 'hadnt', 'mightnt', 'mustnt', 'neednt', 'darent', 'lack', 'lacks', 'lacked', 'lacking',
  'rarely', 'seldom', 'hardly', 'barely', 'devoid',
]);

/** Words after which "like" is a verb ("I like it") rather than a comparison ("looks like rain"). */
export const LIKE_AS_VERB: ReadonlySet<string> = new Set([
  'i', 'you', 'we', 'they', 'he', 'she', "i'd", "we'd", "you'd", 'would', 'do', 'does', 'did', 'really', 'also',
  'to', 'not', "don't", "didn't", "doesn't", 'dont', 'didnt', 'doesnt', 'still', 'definitely', 'actually', 'kinda',
  'people', 'kids', 'everyone', 'everybody', 'who', 'will', "i'll", 'might', 'may', 'should', 'must', 'totally',
  "you'll", "we'll", "they'll", "he'll", "she'll", 'u', 'ya',
]);

/** Multi-word expressions with their own valence, matched before single words. */
export const PHRASES: Readonly<Record<string, number>> = {
  'waste of time': -2.8, 'waste of money': -2.8, 'waste of talent': -2.4, 'must see': 2.6, 'well worth': 2.2,
  'well done': 2.2, 'well made': 2, 'well written': 2.2, 'well acted': 2.2, 'fell asleep': -2, 'falls flat': -2,
  'fall flat': -2, 'fell flat': -2, 'at best': -1, 'top notch': 2.8, 'high quality': 2, 'low quality': -2,
  'poor quality': -2.4, 'stay away': -2.2, 'rip off': -2.4, 'ripped off': -2.4, 'stopped working': -2.2,
  'quit working': -2.2, 'does not work': -2.4, "doesn't work": -2.4, "didn't work": -2,
  'not working': -2.2, "won't work": -2, 'piece of junk': -3, 'piece of crap': -3, 'piece of garbage': -3,
  'no doubt': 0.6, 'no problem': 0.8, 'no problems': 0.8, 'no complaints': 1.6, 'no issues': 1.2, 'not bad': 1.3,
  'not too bad': 1.2, 'cant wait': 2, "can't wait": 2, 'cannot wait': 2, 'can not wait': 2, "can't get enough": 2.4,
  'cant get enough': 2.4, 'cannot get enough': 2.4, 'the bomb': 2.4,
  'the shit': 2.4, 'bad ass': 1.5, 'badass': 1.5, 'kiss of death': -2.4, 'yeah right': -1.2, 'dead end': -1.6,
  'give up': -1.2, 'gave up': -1.4, 'good luck': 1.6, 'happy birthday': 2.4, 'thank you': 1.8, 'thank god': 1.4,
  'so so': -0.4, 'not sure': -0.4, 'highly recommend': 2.8, 'highly recommended': 2.8,
  'works great': 2.6, 'works well': 2.2, 'works perfectly': 2.8, 'worth it': 1.8, 'worth every penny': 2.8,
  'never again': -2.4, 'first rate': 2.4, 'first-rate': 2.4, 'second rate': -1.8, 'second-rate': -1.8,
  'third rate': -2.2, 'third-rate': -2.2, 'b movie': -0.8, 'over the top': -0.6, 'run of the mill': -1.2,
  'paint by numbers': -1.4, 'by the numbers': -1.2, 'edge of your seat': 2.2, 'laugh out loud': 2.2,
  'sense of humor': 1.2, 'sense of humour': 1.2, 'thought provoking': 1.8, 'thought-provoking': 1.8,
  'missed opportunity': -2, 'special effects': 0, 'good grief': -1.2, 'oh well': -0.4, 'oh no': -1.4,
  'on the mark': 1.4, 'hit and miss': -0.6, 'hit or miss': -0.6, 'what the hell': -2, 'what the heck': -1.6,
  'the hard way': -1.4, 'drop by': 0, 'slow motion': 0, 'you rock': 2.4, 'fair enough': AGREEMENT,
  'why not': AGREEMENT,
  // "issue" alone is as often a topic or a magazine number; "an issue" with something is a problem
  'an issue': -0.8, 'an issue of': 0,
};
