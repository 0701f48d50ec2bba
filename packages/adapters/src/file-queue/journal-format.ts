// The file queue's journal records: what each state change of the queue says. How records are
// framed, written and read back is the shared journal's (../_journal/frame.ts); this binds it to the
// queue's record types and to its own magic header, so a journal of another kind is never read as a
// queue's.
import { decodeFrames, encodeEntry, type EncodedEntry, type DecodedJournal, type JournalFormat } from '../_journal/frame.js';

/** First bytes of every file queue journal: the format and its version. */
export const JOURNAL_MAGIC = Buffer.from('TRBQJNL1', 'latin1');

/** The file queue's journal format. */
export const QUEUE_JOURNAL: JournalFormat = { magic: JOURNAL_MAGIC, name: 'file queue journal' };

/**
 * One state change. Short keys keep the journal small: `q` topic, `g` consumer group, `id` message
 * id, `at` published at, `av` available at (epoch ms), `h` headers, `k` key, `n` deliveries so far,
 * `dl` dead-letter id, `r` reason, `f` failed at. `payload` is the payload's JSON text, stored beside
 * the meta JSON rather than inside it, so it is neither escaped on write nor parsed on recovery.
 */
export type JournalRecord =
  /** A publish: the message goes to every group of the topic (and to groups created later). */
  | { t: 'P'; q: string; id: string; at: number; av: number; h?: Record<string, string>; k?: string; payload: string }
  /** A consumer group was created: it starts with every message the topic still retains. */
  | { t: 'G'; q: string; g: string }
  /** A delivery to a group: counts an attempt, so attempts survive a crash. */
  | { t: 'D'; q: string; g: string; id: string }
  /** The group acknowledged the message. */
  | { t: 'A'; q: string; g: string; id: string }
  /** The group will retry the message no earlier than `av`. */
  | { t: 'T'; q: string; g: string; id: string; av: number }
  /** The group gave up: the message becomes dead letter `dl`. */
  | { t: 'X'; q: string; g: string; id: string; dl: string; r: string; f: number }
  /** Dead letter `dl` was published again as message `id`, to the group that gave up only. */
  | { t: 'R'; q: string; dl: string; id: string; at: number }
  /** Compaction: a retained message, in no group yet (its group entries follow as `E`). */
  | { t: 'M'; q: string; id: string; at: number; av: number; h?: Record<string, string>; k?: string; payload: string }
  /** Compaction: a group's pending entry for a message. */
  | { t: 'E'; q: string; g: string; id: string; n: number; av: number }
  /** Compaction: a dead letter, with the message as it failed. */
  | { t: 'L'; q: string; g: string; dl: string; r: string; f: number; id: string; at: number; n: number; h: Record<string, string>; k?: string; payload: string };

/** Encodes one queue record (without framing). */
export function encodeRecord(record: JournalRecord): EncodedEntry {
  return encodeEntry(record);
}

/** Reads a file queue journal: {@link decodeFrames} with the queue's format and records. */
export function decodeJournal(bytes: Buffer, file: string, component: string): DecodedJournal<JournalRecord> {
  return decodeFrames<JournalRecord>(bytes, file, component, QUEUE_JOURNAL);
}
