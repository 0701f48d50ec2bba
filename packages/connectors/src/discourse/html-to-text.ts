// A tag, with quoted attribute values that may themselves contain `>`.
const TAG = String.raw`(?:[^>"']|"[^"]*"|'[^']*')*>`;
const DROPPED_ELEMENTS = new RegExp(String.raw`<(script|style|template|noscript|svg)\b${TAG}[\s\S]*?<\/\1\s*>`, 'gi');
const LINE_TAGS = new RegExp(String.raw`<(?:br|\/li|\/tr|\/dt|\/dd)\b${TAG}`, 'gi');
const BLOCK_TAGS = new RegExp(
  String.raw`<\/?(?:p|div|h[1-6]|blockquote|pre|ul|ol|dl|table|aside|section|article|header|footer|details|summary|figure|figcaption|hr)\b${TAG}`,
  'gi',
);
const CELL_TAGS = new RegExp(String.raw`<\/(?:td|th)\b${TAG}`, 'gi');
const ANY_TAG = new RegExp(String.raw`<\/?[A-Za-z][^\s/>]*${TAG}`, 'g');
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g;

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', shy: '',
  lsquo: '\u2018', rsquo: '\u2019', sbquo: '\u201a', ldquo: '\u201c', rdquo: '\u201d', bdquo: '\u201e',
  laquo: '\u00ab', raquo: '\u00bb', lsaquo: '\u2039', rsaquo: '\u203a',
  hellip: '\u2026', mdash: '\u2014', ndash: '\u2013', minus: '\u2212', bull: '\u2022', middot: '\u00b7',
  copy: '\u00a9', reg: '\u00ae', trade: '\u2122', deg: '\u00b0', para: '\u00b6', sect: '\u00a7',
  euro: '\u20ac', pound: '\u00a3', yen: '\u00a5', cent: '\u00a2', times: '\u00d7', divide: '\u00f7',
  iexcl: '\u00a1', iquest: '\u00bf', larr: '\u2190', rarr: '\u2192', uarr: '\u2191', darr: '\u2193',
  ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009', zwj: '\u200d', zwnj: '\u200c',
};

/**
 * Decodes HTML character references: numeric ones (`&#8217;`, `&#x2019;`) and the common named ones.
 * Unknown names stay as written; a single pass means `&amp;lt;` becomes `&lt;`, never `<`.
 */
export function decodeEntities(text: string): string {
  return text.replace(ENTITY, (match, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED_ENTITIES[name] ?? match;
    const codePoint = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex!, 16);
    const valid = codePoint > 0 && codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff);
    return valid ? String.fromCodePoint(codePoint) : '\ufffd';
  });
}

/**
 * Plain text of a post's `cooked` HTML, for analyzers: tags stripped (scripts and styles with their
 * content, images without replacement, links kept as their text), entities decoded, whitespace
 * collapsed. Block elements become paragraph breaks (a blank line), `<br>` and list items line breaks.
 * @example htmlToText('<p>I&rsquo;ve set it up</p>\n<p>Help&hellip;</p>') // "I’ve set it up\n\nHelp…"
 */
export function htmlToText(html: string): string {
  const marked = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(DROPPED_ELEMENTS, '')
    // Newlines in the source are only whitespace to HTML; structure comes from the tags below.
    .replace(/\s+/g, ' ')
    .replace(LINE_TAGS, '\n')
    .replace(BLOCK_TAGS, '\n\n')
    .replace(CELL_TAGS, ' ')
    .replace(ANY_TAG, '');
  return decodeEntities(marked)
    .split('\n')
    .map((line) => line.replace(/[^\S\n]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
