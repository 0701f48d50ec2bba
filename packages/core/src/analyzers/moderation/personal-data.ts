import { cardNumberValid, ibanLength, ibanValid } from './checksums.js';

/** The kinds of personal data the moderation analyzer finds. */
export type PersonalDataKind = 'email' | 'phone' | 'credit_card' | 'iban' | 'ipv4';

/** One piece of personal data in a text. */
export interface PersonalDataMatch {
  kind: PersonalDataKind;
  /** Offsets in the text, `end` exclusive. */
  start: number;
  end: number;
}

const EMAIL = /(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w@])/g;
/** "jane [at] example [dot] com", "jane(at)example.com": addresses written to dodge scrapers. */
const EMAIL_SPELLED = /(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*\s*[[({]\s*at\s*[\])}]\s*[A-Za-z0-9-]+(?:\s*(?:[[({]\s*dot\s*[\])}]|\.)\s*[A-Za-z0-9-]+)+/gi;
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g;
const CARD = /(?<![\d+-])\d(?:[ -]?\d){12,18}(?![\d-]|\.\d)/g;
const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d)/g;
/**
 * Phone-number shapes: an optional international prefix (+CC or 00CC), an optional area code in
 * parentheses, then groups of digits separated by single spaces, dots or dashes, or one run of digits.
 */
const PHONE = /(?<![\w+.-])(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?(?:\d{7,15}|\d{1,6}(?:[ .-]\d{1,6}){0,5})(?![\w-]|\.\d)/g;
/** Words announcing a phone number just before it: "call me at", "tel.", "mobile:", "WhatsApp". */
const PHONE_CONTEXT = /(?:phone|tel|telephone|mobile|mob|cell|cellphone|call|text|whatsapp|sms|fax|number|no|nr|ring|reach)\b[\s.:#]*(?:me|us|him|her)?\s*(?:at|on)?\s*[:.]?\s*$/i;
/** Words announcing some other number: an order, invoice or ticket. */
const OTHER_NUMBER_CONTEXT = /(?:order|invoice|ticket|case|ref|reference|id|isbn|tracking|account|acct|#)\s*(?:no|nr|number)?[\s.:#]*$/i;

/**
 * Finds personal data in a text: e-mail addresses (also "name [at] domain [dot] com"), phone numbers
 * in common international and national formats, payment card numbers (issuer prefix and Luhn check),
 * IBANs (country length and mod-97 check) and IPv4 addresses. Matches do not overlap; they come in
 * text order.
 *
 * Phone numbers are told from other numbers by their shape: an international prefix (`+44 20 7946 0958`,
 * `0049 30 123456`), an area code in parentheses (`(555) 123-4567`), the North American 3-3-4 grouping
 * (`555-123-4567`), a national trunk 0 with 9 or more digits (`020 7946 0958`, `06 12 34 56 78`), or a
 * word such as "call me at" or "phone:" just before. Dates, times, versions, amounts and numbers
 * introduced as order, invoice or ticket numbers are not phone numbers.
 */
export function findPersonalData(text: string): PersonalDataMatch[] {
  const found: PersonalDataMatch[] = [];
  // Characters already claimed by a match. Checking a candidate against this mask costs its own length,
  // where comparing it with every earlier match made a text with thousands of matches quadratic.
  let claimed: Uint8Array | undefined;
  const taken = (start: number, end: number) => {
    if (!claimed) return false;
    for (let i = start; i < end; i++) if (claimed[i]) return true;
    return false;
  };
  const add = (kind: PersonalDataKind, start: number, end: number) => {
    if (taken(start, end)) return;
    claimed ??= new Uint8Array(text.length);
    claimed.fill(1, start, end);
    found.push({ kind, start, end });
  };
  // Most specific first, so a card number is not also read as a phone number.
  for (const m of text.matchAll(EMAIL)) add('email', m.index, m.index + m[0].length);
  for (const m of text.matchAll(EMAIL_SPELLED)) add('email', m.index, m.index + m[0].length);
  for (const m of text.matchAll(IBAN)) {
    const end = ibanEnd(text, m.index, m[0]);
    if (end !== undefined) add('iban', m.index, end);
  }
  for (const m of text.matchAll(CARD)) {
    if (consistentGroups(m[0]) && cardNumberValid(m[0].replace(/\D/g, ''))) add('credit_card', m.index, m.index + m[0].length);
  }
  for (const m of text.matchAll(IPV4)) {
    if (!/(?:\bv|version\s*)$/i.test(text.slice(Math.max(0, m.index - 10), m.index))) add('ipv4', m.index, m.index + m[0].length);
  }
  for (const m of text.matchAll(PHONE)) {
    if (looksLikePhone(m[0], text.slice(Math.max(0, m.index - 24), m.index))) add('phone', m.index, m.index + m[0].length);
  }
  return found.sort((a, b) => a.start - b.start);
}

/**
 * Where the IBAN starting at `start` ends, if it is one. The pattern may run on into the next
 * upper-case word ("… 0130 00 THANKS"), so the country's length decides where it stops.
 */
function ibanEnd(text: string, start: number, candidate: string): number | undefined {
  const length = ibanLength(candidate.slice(0, 2));
  if (length === undefined) return undefined;
  let compact = '';
  let i = 0;
  for (; i < candidate.length && compact.length < length; i++) if (candidate[i] !== ' ' && candidate[i] !== '-') compact += candidate[i];
  const end = start + i;
  if (compact.length !== length || /[A-Za-z0-9]/.test(text[end] ?? '') || !ibanValid(compact)) return undefined;
  return end;
}

/** One separator throughout ("4111 1111 1111 1111", "4111-1111-…" or none), as card numbers are written. */
function consistentGroups(candidate: string): boolean {
  const separators = new Set(candidate.replace(/\d/g, ''));
  return separators.size <= 1;
}

function looksLikePhone(candidate: string, before: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (OTHER_NUMBER_CONTEXT.test(before)) return false;
  const international = candidate.startsWith('+') || candidate.startsWith('00');
  if (international) return digits.length >= (candidate.startsWith('+') ? 8 : 10) && digits.length <= 17;
  if (digits.length < 7 || digits.length > 13) return false;
  // A date (2024-01-15, 15.01.2024), a time or a version is not a phone number, whatever precedes it.
  if (/^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$/.test(candidate)) return false;
  if (/^\d+(?:\.\d+)+$/.test(candidate) && !/^\d{3}\.\d{3}\.\d{4}$/.test(candidate)) return false;
  if (candidate.startsWith('(')) return true;
  if (/^\d{3}[ .-]\d{3}[ .-]\d{4}$/.test(candidate)) return true;
  // A national number with its trunk 0, written in groups: "020 7946 0958", "06 12 34 56 78".
  if (digits.length >= 9 && /^0\d+(?:[ .-]\d{2,})+$/.test(candidate)) return true;
  return PHONE_CONTEXT.test(before);
}

/** The placeholder written in place of each kind of personal data. */
export type RedactionPlaceholder = (kind: PersonalDataKind) => string;

/** `[email]`, `[phone]`, `[credit_card]`, `[iban]`, `[ipv4]`. */
export const defaultPlaceholder: RedactionPlaceholder = (kind) => `[${kind}]`;

/**
 * Replaces the personal data in a text with placeholders. Pure: the same text always gives the same
 * result, and a redacted text redacts to itself.
 * @example redactPersonalData('Mail jane@example.com or call +44 20 7946 0958') // 'Mail [email] or call [phone]'
 */
export function redactPersonalData(text: string, options: { placeholder?: RedactionPlaceholder; kinds?: readonly PersonalDataKind[] } = {}): string {
  const placeholder = options.placeholder ?? defaultPlaceholder;
  const kinds = options.kinds ? new Set(options.kinds) : undefined;
  let out = '';
  let at = 0;
  for (const m of findPersonalData(text)) {
    if (kinds && !kinds.has(m.kind)) continue;
    out += text.slice(at, m.start) + placeholder(m.kind);
    at = m.end;
  }
  return out + text.slice(at);
}

/** Counts of each kind found, in a fixed order of kinds. */
export function countPersonalData(matches: readonly PersonalDataMatch[]): { kind: PersonalDataKind; count: number }[] {
  const order: PersonalDataKind[] = ['email', 'phone', 'credit_card', 'iban', 'ipv4'];
  return order.map((kind) => ({ kind, count: matches.filter((m) => m.kind === kind).length })).filter((c) => c.count > 0);
}
