/**
 * Word lists of the keyphrase extractor, written for this project. Without a part-of-speech tagger,
 * these lists decide what can be part of a phrase: anything listed in {@link BOUNDARY_WORDS} ends one.
 */

const words = (text: string): ReadonlySet<string> => new Set(text.trim().split(/\s+/));

/**
 * Words that end a phrase: function words, pronouns, auxiliaries, frequent verbs and adverbs, and the
 * evaluative adjectives feedback is full of ("great app" is about the app, not about greatness).
 * Sentiment is the sentiment analyzer's job; keeping it out of phrases lets "great app" and
 * "terrible app" group under one topic.
 */
export const BOUNDARY_WORDS: ReadonlySet<string> = words(`
a about above across after afterwards again against ago ahead all almost alone along already also although always am among
an and another any anybody anyhow anymore anyone anything anyway anyways anywhere are aren't around as aside at away
back be became because become becomes becoming been before beforehand behind being below beside besides between beyond both
but by can can't cannot could couldn't did didn't do does doesn't doing don't done down during each either else elsewhere
enough etc even ever every everybody everyone everything everywhere except few fewer for former formerly from further
furthermore had hadn't has hasn't have haven't having he he'd he'll he's hence her here here's hers herself him himself his
how how's however i i'd i'll i'm i've ie eg if in inside instead into is isn't it it'd it'll it's its itself just
least less let let's like likely many may maybe me meanwhile might mine more moreover most mostly much must mustn't my myself
namely neither never nevertheless next no nobody none noone nor not nothing now nowhere of off often on once one ones only onto
or other others otherwise ought our ours ourselves out over overall own per perhaps please pls plz quite rather
really regarding same several shall shan't she she'd she'll she's should shouldn't since so some somebody somehow someone
something sometime sometimes somewhat somewhere soon still such than that that's thats the their theirs them themselves then
thence there there's thereafter thereby therefore these they they'd they'll they're they've this those though through
throughout thru thus to together too toward towards under unless until up upon us very via vs was wasn't we we'd we'll we're
we've were weren't what what's whatever when whence whenever where where's whereas wherever whether which while whilst who
who's whoever whole whom whose why will with within without won't would wouldn't yet you you'd you'll you're you've your
yours yourself yourselves ya yall y'all u ur im ive dont doesnt didnt cant wont isnt arent wasnt werent wouldnt couldnt
shouldnt hasnt havent thats theres youre theyre lets whats gonna wanna gotta kinda sorta
able actually almost already also apparently basically certainly clearly completely constantly currently definitely
entirely especially eventually exactly extremely fairly finally frankly fully generally greatly hardly highly honestly
hopefully immediately incredibly instantly just kind kinda largely lately literally mainly merely mostly nearly necessarily
obviously occasionally often particularly possibly presumably pretty previously probably quickly randomly rarely readily
recently relatively seriously simply slightly so sort sorta suddenly super surely terribly thankfully totally truly
typically ultimately unfortunately usually absolutely anyway sadly somehow again yes yeah yep yup nope nah ok okay okey
oh ah uh um hmm wow lol lmao omg btw imo imho fyi tbh idk thx ty hi hello hey dear greetings regards cheers thanks thank
sorry welcome guys folks everyone anyone people person
get gets got gotten getting make makes made making take takes took taken taking give gives gave given giving go goes went
gone going come comes came coming see sees saw seen seeing know knows knew known knowing think thinks thought thinking
say says said saying tell tells told telling want wants wanted wanting need needs needed needing try tries tried trying
seem seems seemed seeming feel feels felt feeling keep keeps kept keeping let lets put puts find finds found look looks
looked looking use uses used using work works worked working happen happens happened happening start starts started
stop stops stopped begin began begun show shows showed shown wish wishes hope hoped hoping love loves loved loving
like likes liked hate hates hated enjoy enjoyed appreciate appreciated recommend recommended guess mean means meant
call called help helps helped would've could've should've must've become became becomes allow allows allowed
add added ask asked asking wait waited waiting check checked checking thing things stuff lot lots bit bunch couple
way ways day days today yesterday tomorrow tonight week weeks month months year years morning evening
minute minutes hour hours second seconds moment while ever since soon now later earlier
good great bad nice best better worse worst awesome amazing excellent terrible horrible awful poor fine cool perfect
fantastic wonderful brilliant lovely superb outstanding incredible impressive decent solid okay ok sucks suck sucked
annoying frustrating disappointing disappointed frustrated happy unhappy glad sad angry upset pleased satisfied
dissatisfied useless useful helpful unhelpful easy hard difficult simple complicated confusing confused beautiful
ugly pathetic ridiculous stupid dumb crazy insane weird strange unbelievable unacceptable excited exciting
interesting boring favorite favourite fun funny pleasant unpleasant friendly unfriendly rude polite quick quickly
new old many much more most less few first last next previous different same certain sure real little big huge
small tiny whole entire full main major minor various several specific particular general possible impossible
once twice thrice broke froze went ran wrote bought sent paid lost gave right fail fails latest recent current newest newer
older oldest final initial step steps reproduce actual expected ago anytime
painful horrendous atrocious dreadful lousy mediocre subpar flawless seamless clunky sluggish snappy gorgeous elegant
sleek handy convenient inconvenient tedious cumbersome annoyed irritating infuriating hopeless worthless reasonable
affordable fair unfair disgusting shameful embarrassing sick tired bored thrilled delighted grateful thankful impressed
lucky unlucky well wonderful neat sweet solid terrific fabulous marvelous marvellous superb stellar top-notch
night nights afternoon afternoons noon midnight weekend weekends monday tuesday wednesday thursday friday saturday sunday
despite unlike amid amidst versus upon two three four five six seven eight nine ten eleven twelve twenty hundred hundreds
thousand thousands million millions billion billions dozen dozens half
yay haha hahaha hehe lmfao rofl ugh argh aww awww ooh oops woohoo yikes meh whoa hurray hooray wtf smh jk xoxo
damn dammit crap hell fuck fucking fucked shit shitty bullshit bloody freaking frigging ass
`);

/**
 * Function words allowed inside a phrase, between content words: "upload of files", "quality of the
 * service". Anything else ends the phrase.
 */
export const CONNECTOR_WORDS: ReadonlySet<string> = words('of');

/** Determiners skipped after a connector ("speed of the sync"), so they do not end the phrase. */
export const DETERMINERS: ReadonlySet<string> = words('the a an my our your their this these those its his her');

/**
 * Words ending in -ing that are nouns or adjectives in their own right: they keep their form and their
 * place ("shipping cost" is not "cost ship"; "missing feature" is not "feature miss").
 */
export const ING_NOUNS: ReadonlySet<string> = words(`
shipping billing pricing onboarding shopping tracking loading landing booking meeting training marketing messaging
streaming parking banking accounting networking hosting logging caching routing rendering scrolling spacing padding
building setting heading wording listing ranking rating housing clothing packaging printing recording reporting
wedding ceiling evening morning something nothing anything everything thing string spring ring king sibling
dumpling pudding earring offering opening ending beginning understanding meaning feeling warning drawing painting
wiring plumbing lighting heating cooling flooring roofing seating bedding railing timing funding staffing hearing
missing existing pending remaining following incoming outgoing ongoing upcoming recurring matching leading trending
growing increasing decreasing rising falling blinking flickering flashing spinning lagging stuttering misleading
corresponding underlying overwhelming promising emerging evolving floating rolling sliding hanging dangling ticking
charging dining swimming sleeping checking savings earnings findings belongings surroundings proceedings
`);

/**
 * Verbs whose bare form is also the name of the action ("upload", "export"): "upload files" groups with
 * "file upload", as "uploading files" and "upload of files" do.
 */
export const ACTION_VERBS: ReadonlySet<string> = words(`
upload download export import sync backup restore install uninstall update upgrade downgrade share edit search
login logout signup sign-in sign-up checkout transfer print scan save delete remove add create change reset
cancel refund schedule filter sort format migrate merge deploy render copy paste drag drop load stream book order
pay charge track translate encrypt decrypt verify validate authenticate configure customize`);

/**
 * Nouns that head a compound ("loading screen", "upload button"): an -ing word or an action verb before
 * one of them is a modifier, so the phrase keeps its order.
 */
export const HEAD_NOUNS: ReadonlySet<string> = words(`
page screen button option setting process system tool flow experience time speed cost fee price address number info
information detail app service support team plan policy method history report list limit queue module api function
mode menu window tab bar view icon status rate bag room pool lot cart account label form field link error message
section area card spinner indicator wheel portal dashboard platform software company provider partner preference config
configuration permission rule logic engine algorithm result performance quality guide documentation doc instruction
tutorial session class course pattern behavior behaviour progress size folder location destination path manager
window widget dialog modal popup server client bug issue problem feature`);

/**
 * Heads that say nothing about the theme: stripped from the end of a topic, so "file upload issue",
 * "file upload feature" and "file upload" are one topic. Never a topic alone either.
 */
export const GENERIC_HEADS: ReadonlySet<string> = words(`
issue problem bug feature functionality function option capability ability thing stuff question suggestion idea
improvement concern complaint`);

/** Heads that only say something is wrong: "sync error" and "sync failure" are about sync. */
export const PROBLEM_HEADS: ReadonlySet<string> = words(`crash error failure fail glitch freeze lag hang outage breakage`);

/** Vague quantities before "of": "lots of crashes" is about crashes. */
export const VAGUE_HEADS: ReadonlySet<string> = words(`
lot lots kind sort type bunch couple number amount piece part rest plenty ton tons variety range set series majority
most some all none any each one`);

/** Topics this vague alone group unrelated records, so they are not topics. */
export const GENERIC_TOPICS: ReadonlySet<string> = words(`
app application product software tool service company business thing stuff issue problem question help user customer
version update feature option way time day work`);

/**
 * Verbs that start a request or a complaint ("please fix the login", "I can't open settings") and are
 * rarely part of a noun phrase: dropped from the start of a phrase.
 */
export const LEADING_VERBS: ReadonlySet<string> = words(`
open fix click tap press select choose pick switch turn hit buy reach contact visit reinstall restart reboot refresh
navigate solve enter close finish remember forget understand explain bring provide offer include consider improve
implement introduce watch win play read eat sleep live die talk walk sit stand wear spend hold leave meet hear listen
learn agree expect wonder care believe miss`);

/** Words ending in -ly that are not adverbs (other -ly words end a phrase). */
export const LY_WORDS: ReadonlySet<string> = words(`
reply apply supply family assembly anomaly rally italy july jelly belly bully butterfly monthly weekly daily yearly
quarterly hourly nightly multiply ally poly lily holly fly firefly dragonfly polly`);

/**
 * Adjectives often said of a thing ("it is slow", "sync is broken"): allowed before a noun ("slow sync",
 * "broken link"), but a phrase never ends with one, so "slow" alone is not a keyphrase.
 */
export const PREDICATE_ADJECTIVES: ReadonlySet<string> = words(`
slow fast broken high low expensive cheap pricey overpriced buggy laggy glitchy unstable unusable unresponsive outdated
available unavailable empty blank wrong correct incorrect invalid valid stuck down offline online late early free paid
dark light clean intuitive responsive smooth secure safe reliable unreliable stable accurate inaccurate clear unclear
visible invisible hidden active inactive enabled disabled closed long short heavy large slower faster higher lower
cheaper smaller bigger larger longer shorter worth unable ready busy open missing pending`);

/**
 * Phrasal verbs that name one thing: "log in", "signing in" and "login" are one topic. Rewritten
 * before tokenizing (the particle would otherwise end the phrase as a stopword). One pattern, so a
 * text is scanned once.
 */
const PHRASAL_VERBS =
  /\b(?:(log|sign)(?:s|ged|ging|ed|ing)? ?(in|on|out|up)(?:to)?|(set)(?:s|ting)? ?(up)|(back)(?:s|ed|ing)? ?(up)|(pop)(?:s|ped|ping)?[ -]?(up)|(plug)(?:s|ged|ging)?[ -]?(in)|(add)[ -](on))\b/gi;

/** Rewrites phrasal verbs to their one-word noun: "signing in" → "login", "set up" → "setup". */
export function rewritePhrasalVerbs(text: string): string {
  return text.replace(PHRASAL_VERBS, (match: string, ...groups: (string | undefined)[]) => {
    const [verb, particle] = groups.slice(0, 12).filter((g): g is string => g !== undefined).map((g) => g.toLowerCase());
    if (verb === 'log' || verb === 'sign') {
      if (particle === 'in' || particle === 'on') return 'login';
      if (particle === 'out') return 'logout';
      return verb === 'sign' ? 'signup' : match;
    }
    if (verb === 'add') return 'add-on';
    return `${verb}${particle}`;
  });
}
