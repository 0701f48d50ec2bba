import type { CategoryLabel } from '../../record/schema.js';

/** A phrase that points to a category, and how strongly. */
export interface Cue {
  pattern: RegExp;
  weight: number;
}

/** Categories the cues vote for (`other` is what is left when none does). */
export type CuedCategory = Exclude<CategoryLabel, 'other'>;

const cue = (weight: number, pattern: RegExp): Cue => ({ pattern, weight });

/**
 * Cues on the original text (case and line breaks kept): stack traces and error names, which are the
 * strongest sign of a bug report.
 *
 * Every cue must take time linear in the text: repetitions that can run on (`\s`, `.`, `[^\n]`) are
 * bounded, since an unbounded one is retried from each start position and a long text with many starts
 * ("expected: expected: …", a long line of frames) turns quadratic.
 */
export const RAW_BUG_CUES: readonly Cue[] = [
  cue(4, /\n\s{0,40}at [\w$.<>[\]]{1,200} ?\(?[^\n]{0,300}?:\d+/),
  cue(4, /Traceback \(most recent call last\)|Exception in thread|panicked at|Segmentation fault|core dumped/i),
  cue(3, /\b[A-Z]\w*(?:Error|Exception)\b(?::|\s+at\b)/),
];

/**
 * Cues on the normalized text: lower case, contractions expanded ("doesn't" → "does not"), one space
 * between words. Written for this project from how customers phrase each kind of feedback.
 */
export const CUES: Readonly<Record<CuedCategory, readonly Cue[]>> = {
  bug_report: [
    cue(4, /\bsteps to reproduce\b|\bto reproduce\b|\brepro(?:duction)? steps\b|\bexpected(?: behaviou?r| result)?:.{0,400}?\bactual\b/),
    cue(3, /\bcrash(?:es|ed|ing)?\b|\bfreez(?:e|es|ing)\b|\bfroze(?:n)?\b|\bhangs\b|\bunresponsive\b|\bforce clos/),
    cue(3, /\b(?:does|do|is|are|did|was|were|will|would) not (?:work|load|open|start|sync|save|show|respond|display|connect|update|play|send|launch|install|download|upload|print|appear|register|refresh|close|apply|go through)\b/),
    cue(3, /\bnot (?:working|loading|opening|syncing|saving|showing|responding|displaying|connecting|updating|playing|sending|launching|appearing|registering|refreshing)\b|\b(?:stopped|stops) working\b|\bno longer (?:works?|loads?|shows?|syncs?|opens?)\b/),
    cue(3, /\bbroken\b|\bbreaks\b|\bbug(?:s|gy)?\b|\bglitch(?:es|y)?\b|\bregression\b/),
    cue(2.5, /\berror\b|\bexceptions?\b|\bfail(?:s|ed|ing|ure)?\b|\b[45]\d\d (?:error|status)\b|\bhttp [45]\d\d\b/),
    cue(2.5, /\bnothing happens\b|\bdoes nothing\b|\b(?:keeps?|kept) (?:crashing|closing|logging me out|freezing|restarting|disconnecting|reloading|spinning|asking|resetting|showing)\b/),
    cue(2.5, /\bstuck (?:on|at|in)\b|\b(?:blank|white|black|empty) (?:screen|page)\b|\bgoes blank\b|\bunreadable\b/),
    cue(2.5, /\b(?:lost|lose|losing) (?:all )?(?:my |the )?(?:data|notes|files|work|progress|changes|photos|messages)\b|\bchanges are lost\b|\bdata loss\b/),
    cue(2, /\bcan not (?:log ?in|sign ?in|access|open|see|save|connect|upload|download|load|find my|play|send|delete)\b|\bunable to\b/),
    cue(2, /\b(?:disappear(?:ed|s)?|vanish(?:ed|es)?)\b|\bduplicated\b|\b(?:shows?|shows up|appears?) twice\b|\bsilently\b|\bignor(?:es|ing) (?:the|my)\b/),
    cue(2.5, /\bwent wrong\b|\b(?:leads?|goes|redirects?|takes? me) to (?:a |an )?(?:404|500|error|blank)\b|\b(?:404|500|502|503)\b/),
    cue(2, /\b(?:spins?|spinning|loads?|loading|hangs?) forever\b|\bnever (?:completes|finishes|loads|ends|arrives|goes through)\b|\binfinite (?:loading|loop|spinner)\b|\bstops at \d+ ?%/),
    cue(2, /\b(?:turns?|goes|went) (?:grey|gray|black|white|blank)\b|\bupside down\b|\bcuts? (?:out|off)\b|\bflicker(?:s|ing)?\b|\boverlap(?:s|ping)?\b|\bjumps? back\b|\b(?:an? )?hour off\b|\breset(?:s)? to (?:zero|0)\b/),
    cue(2, /\b(?:rejected|denied) as\b|\bas invalid\b|\breturns? (?:nothing|no results|an? error|the wrong)\b|\bsays (?:no|i am not|i'm not|it is not)\b|\bgone\b(?! (?:downhill|up|down|through))|\blaggy\b|\bstutter/),
    cue(1.5, /\b(?:reporting|report|found|have|having|there is|there's) an? (?:issue|problem|bug)\b|\bissue with\b|\bproblem with\b|\beven though\b/),
    cue(2, /\bwhenever\b|\bevery (?:single )?time (?:i|you|we|the|it)\b|\beach time\b|\bas soon as i\b|\bwhen(?:ever)? i (?:try|open|click|tap|switch|press|select|upload|save|change|rotate|start|log|use|scroll|type|enter|add|delete|edit|send|connect)\b/),
    cue(2.5, /\bdo(?:es)? not match\b|\bbreak(?:s)? (?:the|my|when|on)\b|\b(?:signs?|logs?|kicks?) me out\b|\b\d+ ?% cpu\b|\bmemory leak\b|\bcpu usage\b|\b(?:plays?|sends?|shows?|appears?|fires?|triggers?|runs?|charges?) (?:\w+ ){0,2}(?:twice|two times|multiple times|again and again)\b/),
    cue(1.5, /\bkeeps? \w+ing\b|\brevert(?:s|ing|ed)?\b/),
    cue(1.5, /\b(?:wrong|incorrect)\b|\bmismatch\b|\binstead of\b/),
    cue(1, /\bsince (?:the )?(?:last|latest|recent|new) (?:update|version|release)\b|\bafter (?:the )?(?:last |latest |recent )?(?:update|upgrade)\b|\bsince yesterday\b/),
    // Indirect reports: what the writer already tried, the thing that "used to work", a refusal by the
    // product, and the device or version it happens on.
    cue(2, /\b(?:tried|tries|trying) (?:to )?(?:reinstall|re-install|restart|reboot|clear|log ?out|update|reset)(?:ing|ed)?\b|\b(?:reinstalled|re-installed|rebooted|restarted|cleared (?:the |my )?(?:cache|cookies|data))\b|\bno matter what i (?:do|try)\b/),
    cue(2, /\bused to work\b|\bworked (?:fine|perfectly|great|well) (?:before|until)\b|\bstill (?:happens|broken|crashing|not fixed)\b|\bhappens (?:again|every time|randomly|constantly)\b|\bkeeps happening\b/),
    cue(2, /\bwill not let me\b|\bdoes not let me\b|\brefuses to (?:open|load|start|work|sync|save|connect|launch|install|accept|let)\b|\b(?:greyed|grayed) out\b|\btim(?:es|ed) out\b|\bout of sync\b|\bshows? (?:up )?(?:as )?(?:empty|blank|zero|the wrong|an? old)\b|\bdoes not (?:do anything|react|respond)\b/),
    cue(1, /\bon (?:my )?(?:iphone|ipad|android|pixel|galaxy|samsung|mac|windows|chrome|firefox|safari|ios \d+|android \d+)\b|\bversion \d+(?:\.\d+)+\b|\bv\d+\.\d+\b/),
    // Symptoms described without naming a fault (version 1.2.0): asking whether others see it, having to
    // redo what should stick, a feature that works only in part, data wiped, the product contradicting
    // the facts, output that comes out mangled.
    cue(3, /\bis it just me\b|\b(?:any ?one|anybody|someone|others?) else (?:seeing|having|getting|experiencing|noticed?|with (?:this|the same))\b|\bam i the only one\b/),
    cue(2, /\bkeeps? (?:having|needing|asking me) to\b|\b(?:log|sign)(?:s|ged)? (?:me )?(?:in|out) again\b|\bre-?log ?in\b|\bre-?(?:login|sign ?in)\b|\bno longer (?:recogni[sz]es|connects?|charges?|turns? on|starts?|responds?|updates?|plays?|prints?|accepts?)\b/),
    cue(2, /\b(?:can|could) not be (?:opened|played|loaded|saved|downloaded|uploaded|accessed|edited|deleted|installed|synced|printed|exported|imported|selected)\b|\bcan not (?:scroll|click|tap|type|select|edit|reach|get past|reset|install|pay|check ?out|submit|print|export|import|share|sync|record)\b|\b(?:does|do|did|will) not (?:stick|persist|render|trigger|fire|arrive|go away|scroll|get saved)\b|\b(?:numbers|totals?|figures|sums?|math|amounts?|balances?|stats|counts) (?:do|does|did) not add up\b/),
    cue(2, /\bonly (?:shows?|marks?|loads?|saves?|displays?|works?|returns?|exports?|imports?|syncs?|plays?|downloads?|uploads?|prints?|counts?|lists?|sends?|deletes?) (?:the )?(?:first|last|half|some|part|one|a few|partially)\b|\b(?:empties|wipes|erases|clears|resets|deletes) (?:my|all my|all of my|the whole)\b|\b(?:items?|files?|messages?|things|ones|entries|photos|notes) (?:i|we) (?:already )?(?:deleted|removed|archived)\b/),
    cue(2, /\blag(?:s|ging)? (?:by|when|while|every|after)\b|\binput lag\b|\bspinner\b|\bcorrupted\b|\b(?:file|files|data|pdf|pdfs|image|images|photos?|text|output|export|download|video) (?:is |are |was |were |gets? |got )?(?:garbled|truncated|scrambled|misaligned)\b|\b(?:comes?|came) out (?:empty|blank|wrong|garbled|broken)\b|\b(?:is|are|was|were|goes|went|became|becomes) invisible\b/),
    cue(1.5, /\b(?:includes?|included|counted|counts|charged|billed|listed|arrives?|arriving|posted|added|deducted|delivered) (?:\w+ ){0,2}twice\b|\bdouble[- ]?(?:charged|counted|billed|booked)\b|\b(?:app|site|page|screen|dashboard|counter|tracker|widget|website|system) (?:says|reports|claims|thinks|insists)\b|\beven (?:when|after|with) i\b|\bafter (?:the |this )?(?:latest |last |recent |new )?(?:patch|release)\b/),
  ],
  feature_request: [
    cue(4, /\bfeature request\b|\bfeature suggestion\b/),
    cue(3.5, /\bit (?:would|will|'d) be (?:great|nice|awesome|cool|helpful|good|useful|amazing|fantastic|lovely|handy|better|ideal) (?:if|to)\b/),
    cue(3.5, /\b(?:would|'d) (?:love|like) (?:to see|to have|it if|an? (?:option|way|setting|feature)|the (?:ability|option))\b/),
    cue(3.5, /\bplease (?:add|make|include|support|allow|let|implement|consider|bring|provide|give|create|enable|introduce)\b|\b(?:pls|plz) add\b/),
    cue(3.5, /\b(?:can|could|would|will) (?:you|we|u)(?: guys)? (?:please )?(?:add|support|make|include|implement|consider|allow|bring|provide|create|enable|introduce)\b|\bcan we (?:get|have)\b/),
    cue(3.5, /\bi wish\b|\bwish (?:there|it|you|i|we)\b|\bwishlist\b/),
    cue(3, /\bsuggestion\b|\bi (?:would )?suggest\b|\bsuggest (?:adding|that)\b|\bmake it possible\b/),
    cue(3, /\bany plans? (?:to|for|on)\b|\bplan(?:s|ning)? to (?:add|support)\b|\broadmap\b/),
    cue(3, /\b(?:you|they|it|app|there) should (?:add|have|support|allow|let|include|offer|make|be able)\b/),
    cue(2.5, /\badd(?:ing)? (?:support for|an? (?:option|way|setting|button|toggle|filter|mode)|the (?:ability|option))\b|\b(?:need|want) (?:an?|the) (?:option|way|setting|feature|ability|button|toggle)\b/),
    cue(3, /\b(?:would|'d) (?:really |so |very |super )?(?:be )?(?:handy|great|nice|awesome|cool|helpful|useful|amazing|fantastic|lovely|ideal|brilliant) (?:to|if)\b|\bbe able to\b|\b(?:would|'d) (?:really |so |very )?(?:love|like|appreciate)\b/),
    cue(3, /\bbring back\b|\bhoping (?:you|for|to see)\b|\bhope you (?:will |can )?add\b|\blet (?:me|us|users) (?:choose|pick|set|change|customize|customise|select|decide|export|import|edit|hide|sort|filter|use)\b|\bgive (?:us|me|users) (?:the|an?|more)\b/),
    cue(3, /(?:^ ?|[.!] )(?:request|idea|proposal|wish)\s*:|\bmy (?:only|one|biggest) (?:wish|request)\b|\bis it possible to (?:add|have|get)\b|\bcould there be\b/),
    cue(2, /\bwould (?:really )?help\b|\bwould (?:make|be) (?:\w+ ){0,3}(?:simpler|easier|better|nicer|faster)\b|\bwe (?:really )?need\b/),
    cue(3, /\bwould be (?:\w+ )?(?:useful|handy|helpful|great|nice|awesome|cool|amazing|brilliant|fantastic|perfect|lovely|ideal|welcome|appreciated|good)\b/),
    cue(3, /(?:^ ?|[.!?] )(?:add|make|allow|let|give|include|support|enable|provide|bring|introduce|offer|integrate|implement)\b/),
    cue(3, /\b(?:how|what) about (?:adding|a|an|some|supporting)\b|\bany chance (?:of|to|you)\b|\blooking forward to (?:a|an|the)\b|\b(?:really |still |sorely )?missing (?:a|an)\b|\bwould (?:happily |gladly )?pay (?:extra|more|for)\b|\bwould (?:gladly|happily) (?:pay|use|switch)\b/),
    cue(3, /\bwould make (?:this|it) (?:perfect|better|even better|great|complete|easier|much better)\b/),
    cue(2, /\bwould save\b|\bwould be (?:great|nice|awesome|helpful|useful|handy|cool)\b|\bintegration with\b/),
    cue(1, /\b(?:option|ability|way) to\b|\bsupport for\b|\badding\b|\bcan we\b|\bplease\b/),
    // Asking for what is missing without naming it a request: "there is no way to", "why can't I",
    // "should let me", "if only it had".
    cue(2.5, /\bthere (?:is|'s) no (?:way|option|setting|button) to\b|\bthere should be\b|\bshould (?:let|allow) (?:me|us|users)\b(?! know)|\bshould be able to\b|\bif only (?:it|there|you)\b|\bonly thing (?:missing|lacking)\b/),
    // Requests said as hopes or offers (version 1.2.0).
    cue(3, /\b(?:you|please|pls) (?:\w+ )?consider\b|\bconsider(?:ing)? (?:adding|supporting|making|offering|allowing|bringing|letting|including)\b|\b(?:hope|hoping|would like|'d like|would love|'d love) to see\b(?! (?:you|u)\b)|\bany ?way (?:you|u) (?:could|can|might)\b|\bhow about (?:letting|making|showing|allowing|having|giving)\b|\bmore (?:\w+ ){0,2}(?:please|pls|plz)\b|\bpretty please\b|(?:^ ?|[.!?] )(?:show|hide|remove|sort|display) (?:the|an?|all|more)\b/),
    cue(2, /\bwhy (?:can|could) i not\b|\bwhy is there no\b|\bwhen will (?:you|we|it) (?:add|get|support|have)\b|\bdoes not (?:support|offer)\b|\blacks? (?:an?|the|any)\b|\b(?:it|app|this) (?:really )?needs? (?:an?|more|better|the option)\b/),
  ],
  question: [
    cue(2.5, /\banyone know\b|\bany idea\b|\bi was wondering\b|\bwondering (?:if|whether|how|why)\b|\bquick question\b|\bquestion:|\bcould (?:someone|anyone|you) (?:explain|tell|help)\b/),
    cue(2, /\bhow (?:do|can|to|does|much|many|long|often|should|would)\b|\bwhere (?:can|do|is|are|does)\b|\bwhen (?:will|is|does|do|are)\b|\bwhat (?:is|are|happens|does|do|would|should)\b/),
    cue(1.5, /\b(?:is|are) (?:there|it|my|the|this) (?:a|an|any|possible|stored|safe|available|included|compatible)\b|\b(?:does|do) (?:the|it|this|you|anyone|your)\b|\bcan i\b|\bdo you (?:offer|have|support|provide|ship|accept)\b/),
    cue(1, /\bexplain\b|\bwhich\b|\bwhether\b|\bwho (?:do|should|can)\b/),
  ],
  complaint: [
    cue(2.5, /\b(?:terrible|awful|horrible|worst|unacceptable|ridiculous|pathetic|outrageous|disgraceful|shameful|appalling|atrocious)\b/),
    cue(2.5, /\bdisappoint(?:ed|ing|ment)\b|\bwaste of (?:money|time)\b|\bfed up\b|\bnot happy\b|\bunhappy\b|\bscam\b|\brip ?off\b|\bnot worth\b/),
    cue(2, /\b(?:overpriced|too expensive|expensive|price (?:increase|hike)|raised the price|pay extra|used to be free|charged|subscription auto-?renewed)\b/),
    cue(2, /\brefund\b|\bcancel(?:l?ing|l?ed)?\b|\blate\b|\bdelay(?:ed|s)?\b|\bdamaged\b|\bnever (?:answered|replied|responded|arrived|received|came)\b|\bno (?:reply|response|answer)\b|\bstill (?:no|waiting|not)\b|\bwaiting\b/),
    cue(2, /\brude\b|\bunhelpful\b|\bignored\b|\bdid not (?:even )?(?:read|answer|reply|respond|help)\b|\bnobody told\b|\bwithout (?:any )?(?:warning|notice)\b/),
    cue(1.5, /\b(?:frustrat(?:ed|ing)|annoy(?:ed|ing)|hate|ugly|confusing|harder|worse|too many|too long|too slow|forc(?:ed|ing)|removed|ads|clunky|cluttered|slow)\b/),
    cue(2.5, /\ba joke\b|\bcheat(?:ed|ing)?\b|\bmislead(?:ing)?\b|\bovercharg|\bgreedy\b|\bpaywall\b|\bregret\b|\bdownhill\b|\bhideous\b|\bmake(?:s)? no sense\b|\bnonsense\b|\bpushy\b|\bupsell|\bspamm(?:y|ing)\b|\bstop it\b/),
    cue(2, /\b(?:too|so|overly) (?:complicated|complex|hard|difficult|slow|expensive|pricey|buggy)\b|\btakes? (?:ages|forever)\b|\bcosts? more than\b|\btrying to sell\b|\bwithout (?:solving|fixing|answering|helping)\b|\b(?:nobody|no one) (?:can|could|will|would|cares|answered|helped)\b|\bdrains?\b|\bgot it after\b|\bafter \d+ (?:days|weeks|months)\b/),
    cue(2, /\bwhy (?:is|does|do|are|did) (?:it|this|that|everything|your|you) (?:so|always|still|never|even)\b|\bhow (?:is|are) (?:it|this) (?:so|still)\b/),
    cue(2, /\b(?:tedious|pointless|uncomfortable|useless|lazy|careless|unreliable|overrated|flimsy|cheaply made|poorly|mediocre|subpar|sloppy|a shame|new low)\b/),
    // Dissatisfaction with service, price or policy said without a strong adjective.
    cue(2, /\b(?:on|put on) hold for\b|\bnot what i (?:expected|paid for|ordered)\b|\bexpected (?:better|more)\b|\bnever again\b|\bswitch(?:ing|ed)? to (?:another|a different|a competitor)\b|\b(?:hidden|extra) (?:fees?|charges?)\b|\bwhy (?:do|should) i (?:have to|need to|pay)\b|\blousy\b|\btaking my (?:business|money) elsewhere\b/),
    // Indirect dissatisfaction (version 1.2.0): excess, unfairness, value for money, waiting, people
    // out of reach, comparisons with competitors.
    cue(2, /\b(?:way|far|much|just|simply) too (?:much|many|\w+)\b|\b(?:nobody|no one|never) (?:informed|told|warned|notified|contacted|called|emailed|bothered|explained)\b|\b(?:did|does|do) not (?:even )?care\b|\bnot fair\b|\bunfair\b|\bpay to win\b|\bexcessive(?:ly)?\b|\bbloat(?:ed|ware)?\b/),
    cue(2, /\b(?:tiny|small|poor|little|not worth it|overpriced|too much) for the (?:price|money|cost)\b|\bfor what (?:you|i|we) (?:get|pay)\b|\b(?:price|prices|cost|costs|fee|fees|rates?) (?:has |have )?(?:doubled|tripled|went up|keeps? going up|increased|jumped)\b|\b(?:doubled|tripled|raised|hiked) (?:the |their |your |its )?(?:price|prices|fees?)\b|\bprice hikes?\b|\bpolicy change|\bchanged (?:the|your|their) polic/),
    cue(2, /\bwaited (?:for )?(?:over |almost |nearly |more than )?(?:\d+|an?) (?:minutes?|mins|hours?|days?|weeks?)\b|\b(?:minutes|hours) on hold\b|\b(?:talk|speak|get through) to an? (?:real |actual )?(?:human|person|agent)\b|\breach an? (?:real |actual )?(?:human|person|agent)\b|\blet ?down\b|\bunderwhelm(?:ed|ing)\b|\bwas hoping for (?:more|better)\b|\bnot (?:fun|the same|as good) (?:anymore|any more)\b/),
    cue(1.5, /\b(?:does|do|did) (?:it|this|that|everything|all (?:of )?(?:this|that|it)) (?:much |way |far |so much )?better\b|\bcheaper (?:elsewhere|alternatives?|competitors?|options?)\b|\b(?:going|went|switching|moving) back to\b|\bmeh\b/),
    cue(2, /\bnever happened\b|\b(?:nobody|no one) (?:responds|replies|answers|helps|cares)\b|\bno (?:\w+ ){0,2}at all\b|\bpromised\b|\bonly a bot\b|\bcosts? (?:money|extra)\b|\bnot even\b/),
  ],
  praise: [
    cue(2.5, /\b(?:love|loving|loved)\b|\bthank(?:s| you)\b|\bkudos\b|\bwell done\b|\bkeep up the good work\b|\byou (?:guys )?rock\b|\blife ?saver\b|\bgame ?changer\b/),
    cue(2, /\b(?:great|awesome|excellent|amazing|fantastic|brilliant|best|perfect(?:ly)?|wonderful|superb|outstanding|impress(?:ed|ive)|incredible|stellar|flawless(?:ly)?)\b/),
    cue(2, /\brecommend\b|\b(?:five|5) stars?\b|\bworth every\b|\bhappy with\b|\bjust works\b|\bworks (?:great|perfectly|like a charm|flawlessly|well)\b|\bdoes exactly\b/),
    cue(1.5, /\b(?:solid|reliable|easy|simple|intuitive|helpful|smooth|beautiful|nice|good|cool|happy|glad|pleased|delightful|gorgeous|patient)\b/),
    cue(2, /\b(?:lovely|pleasant|calm|delight(?:ful|ed)?|above and beyond|keeper|gem|love it|nicely|well (?:designed|made|built|thought out)|genuinely useful|so much (?:better|faster|snappier|easier)|went up|improved (?:a lot|massively|greatly))\b/),
    cue(2.5, /\bhats off\b|\bprops to\b|\benjoying\b|\b(?:i|we|kids|they|everyone) (?:really |truly |thoroughly )?enjoy(?:ed)?\b|\bexceed(?:ed|s) (?:my |all )?expectations\b|\b(?:never|not) looked back\b|\bcan not (?:imagine|live|work|do) without\b|\bblown away\b|\bno complaints\b|\bspot on\b|\b(?:quick|fast|prompt|speedy) (?:responses?|replies|reply|answers?|support|delivery|shipping|service)\b/),
    cue(2.5, /\bexactly what i (?:needed|wanted|was looking for)\b|\btop ?notch\b|\bwill (?:order|buy|book|come back|use it) again\b|\bshout ?out\b|\b10 ?\/ ?10\b|\bwould recommend\b|\b(?:much |way |far )?better than (?:the )?(?:competition|others|any other|the rest)\b|\bfinally an?\b/),
  ],
};

/** Words that make a praise cue hypothetical, i.e. a wish: "would be amazing", "could be perfect". */
export const HYPOTHETICAL_BEFORE = /\b(?:would|could|'d|might)\s+(?:\w+\s+){0,2}$/;

/** Words that put a praise cue in the past, so it measures a decline: "used to be great". */
export const PAST_BEFORE = /\b(?:used to be|was once|once was)\s+(?:\w+\s+){0,2}$/;

/**
 * Sarcasm markers, on the normalized text: the praise words and positive sentiment of a text that holds
 * one say the opposite ("great, another update that moves everything").
 */
export const SARCASM = /\boh,? (?:great|perfect|wonderful|fantastic|brilliant|joy)\b|\bthanks for nothing\b|\byeah,? right\b|\bgreat[,.!]+ (?:just )?(?:another|more)\b|\bjust what i needed[,.!]+ (?:another|more)\b| \/s\s*$/;

/** Words that turn a praise or complaint cue around when just before it: "not great", "never disappointed". */
export const NEGATION_BEFORE = /\b(?:not|never|no longer|hardly|barely|nothing|no)\s+(?:\w+\s+)?$/;
