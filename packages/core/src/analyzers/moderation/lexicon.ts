/**
 * The toxicity lexicon, written for this project. It lists offensive words on purpose: a moderation
 * filter has to know them. Words are matched whole (after undoing obfuscation and inflection), except
 * {@link EMBEDDED_ROOTS}, which are also found inside longer words.
 */

/** How a word offends, which decides its weight and whether it sets the profanity flag. */
export type TermKind = 'mild' | 'profanity' | 'insult' | 'slur';

const list = (text: string): string[] => text.trim().split(/\s+/);

/** Words that are rude but common in ordinary complaints ("this update sucks"): a little toxicity, no profanity flag. */
const MILD = list(`damn dammit damned goddamn hell crap crappy sucks suck sucked sucky bloody freaking frickin fricking
frigging friggin pissed piss pissy screw screwed bugger bollocks arse jerk`);

/** Profanity: sets the profanity flag. */
const PROFANITY = list(`fuck fucker fuckers fucking fucked fuckin fck fuk fukin shit shitty shite bullshit horseshit
dipshit shithead shitshow ass asshole arsehole dumbass jackass smartass fatass badass bitch bitchy son-of-a-bitch
bastard dick dickhead cock cocksucker pussy cunt twat wanker wank prick slut whore motherfucker motherfucking
tits titties boobs douche douchebag goddamnit`);

/** Insults: words aimed at a person. Weighed more when the text addresses someone ("you idiot"). */
const INSULTS = list(`idiot idiots idiotic stupid moron moronic dumb imbecile cretin loser pathetic worthless
incompetent clown clowns scum scumbag buffoon twit dimwit halfwit nitwit numbskull bozo dunce ignoramus fool
foolish brainless clueless freak creep psycho lunatic liar liars thief thieves crook crooks scammer scammers
fraudster fraudsters parasite parasites vermin leech leeches trash garbage ugly fat disgusting useless retarded
subhuman pig pigs swine rat rats snake snakes coward cowards hypocrite hypocrites sleazy sleazebag lowlife
degenerate imbeciles morons losers`);

/**
 * Insults that are also everyday criticism of a product ("useless app", "garbage update"): count only
 * when aimed at a person.
 */
export const PERSON_ONLY = new Set(list(`useless trash garbage ugly fat disgusting incompetent pathetic clueless
foolish stupid dumb worthless liar liars thief thieves crook crooks pig pigs rat rats snake snakes coward cowards
parasite parasites clown clowns freak creep psycho lunatic retarded`));

/** Profanity that names a person: weighed as an insult when aimed at someone ("you absolute dumbass"). */
export const PROFANE_INSULTS = new Set(list(`asshole arsehole dumbass jackass smartass fatass bitch bastard dick dickhead prick twat
wanker cunt motherfucker douche douchebag shithead dipshit slut whore cocksucker`));

/** Slurs against a group of people. */
const SLURS = list(`nigger niggers nigga niggas faggot faggots fag fags dyke dykes tranny trannies retard retards spic spics kike kikes chink chinks gook gooks wetback wetbacks raghead ragheads towelhead towelheads coon
coons beaner beaners paki pakis shemale`);

/** Roots offensive wherever they appear: "clusterfuck", "shitstorm", "motherfucking". */
export const EMBEDDED_ROOTS = list(`fuck shit bitch cunt nigger faggot asshole wank whore`);

/** Innocent words that contain a term or a root, or inflect to one ("Scunthorpe", "shiitake", "Twitter"). */
export const NOT_TERMS = list(`scunthorpe shiitake shitake snigger sniggers sniggered sniggering swank swanky twitter
cocky cockpit cockpits hancock peacock dickens pussycat`);

/** The lexicon: word → kind. */
export const TERMS: ReadonlyMap<string, TermKind> = new Map<string, TermKind>([
  ...MILD.map((w) => [w, 'mild'] as const),
  ...INSULTS.map((w) => [w, 'insult'] as const),
  ...PROFANITY.map((w) => [w, 'profanity'] as const),
  ...SLURS.map((w) => [w, 'slur'] as const),
]);

/** Weight of one occurrence, by kind; `directed` when aimed at the reader or a person. */
export const WEIGHTS: Readonly<Record<TermKind, { plain: number; directed: number }>> = {
  mild: { plain: 0.12, directed: 0.3 },
  profanity: { plain: 0.4, directed: 0.75 },
  insult: { plain: 0.45, directed: 0.75 },
  slur: { plain: 0.85, directed: 0.9 },
};

/** A pattern over the normalized text, its weight, and whether it is profanity. */
export interface PhraseRule {
  pattern: RegExp;
  weight: number;
  profane?: boolean;
  /** Names the rule in test output. */
  name: string;
}

const YOU = String.raw`(?:you|u|ya|yall|you\s+guys|you\s+people)`;
const HARM = String.raw`(?:kill|murder|shoot|stab|hurt|strangle|choke|rape|slaughter|behead)`;

/**
 * Threats, harassment and hate phrases, matched on the normalized text (lower case, obfuscation
 * undone, one space between words, punctuation removed).
 */
export const PHRASE_RULES: readonly PhraseRule[] = [
  { name: 'threat', weight: 0.95, pattern: new RegExp(String.raw`\b(?:i\s+will|i\s*ll|ill|im\s+going\s+to|im\s+gonna|i\s+am\s+going\s+to|gonna|we\s+will|we\s*ll|going\s+to)\s+(?:\w+\s+){0,2}${HARM}\s+${YOU}\b`) },
  { name: 'threat', weight: 0.9, pattern: new RegExp(String.raw`\b(?:beat|hunt|track)\s+${YOU}\s+(?:up|down)\b`) },
  { name: 'threat', weight: 0.95, pattern: new RegExp(String.raw`\b(?:kill|hang|shoot)\s+(?:your\s*self|yourself|urself|yourselves)\b|\bkys\b`) },
  { name: 'threat', weight: 0.9, pattern: new RegExp(String.raw`\b(?:hope|wish)\s+${YOU}\s+(?:\w+\s+)?(?:die|dies|get\s+cancer|burn|rot|suffer|get\s+hit)\b`) },
  { name: 'threat', weight: 0.9, pattern: new RegExp(String.raw`\b${YOU}\s+(?:should|deserve\s+to|need\s+to|ought\s+to)\s+(?:\w+\s+)?(?:die|be\s+killed|be\s+shot|suffer|rot)\b`) },
  { name: 'threat', weight: 0.9, pattern: /\bgo\s+die\b|\bdie\s+in\s+a\s+(?:fire|hole|ditch)\b/ },
  { name: 'threat', weight: 0.9, pattern: new RegExp(String.raw`\bi\s+know\s+where\s+${YOU}\s+live\b|\bwatch\s+your\s+back\b|\b${YOU}\s*(?:re|are)\s+(?:dead|going\s+to\s+die)\b`) },
  { name: 'threat', weight: 0.9, pattern: /\b(?:burn|blow\s+up|bomb)\s+(?:down\s+)?(?:your|the|their|that)\s+(?:house|office|building|store|shop|place|headquarters|hq)\b/ },
  { name: 'hate', weight: 0.85, pattern: /\bgo\s+back\s+to\s+(?:your|ur)\s+(?:own\s+)?(?:country|countries)\b/ },
  {
    name: 'hate',
    weight: 0.85,
    pattern: /\b(?:all|those|these|the|you)\s+(?:\w+\s+)?(?:muslims|jews|blacks|gays|immigrants|mexicans|arabs|asians|women|refugees|christians|trans\s+people)\s+(?:are|should)\s+(?:\w+\s+)?(?:die|animals|vermin|scum|trash|killed|deported|subhuman|exterminated|gassed)\b/,
  },
  { name: 'directed-profanity', weight: 0.8, profane: true, pattern: new RegExp(String.raw`\b(?:fuck|screw)\s+(?:${YOU}|off|yourself|yourselves|urself|your\s+\w+)\b|\bstfu\b|\bgtfo\b|\bsuck\s+my\b|\beat\s+shit\b`) },
  { name: 'directed-insult', weight: 0.6, pattern: new RegExp(String.raw`\bgo\s+to\s+hell\b|\b${YOU}\s+(?:\w+\s+){0,2}piece\s+of\s+(?:shit|crap|garbage|trash)\b|\bshut\s+(?:the\s+\w+\s+)?up\s+${YOU}\b`) },
  { name: 'rude', weight: 0.3, pattern: /\bshut\s+(?:the\s+\w+\s+)?up\b/ },
];
