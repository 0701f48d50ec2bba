// Stream, subject and consumer names of a topic. Topic and group names may hold any character, while
// NATS names may not hold `.`, `*`, `>`, whitespace or slashes: each character outside [A-Za-z0-9-] is
// written as `=` and its UTF-8 bytes in hex. `_` is escaped too, so the `_DELAY` / `_DLQ` suffixes can
// never collide with another topic's name.

/** Encodes a name into a single NATS token / stream-name fragment. */
export function token(name: string): string {
  let out = '';
  for (const char of name) {
    if (/^[A-Za-z0-9-]$/.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The JetStream resources of one topic. */
export interface TopicNames {
  /** Stream holding the topic's messages. */
  stream: string;
  subject: string;
  /** Work-queue stream where messages published with `delayMs` wait until due. */
  delayStream: string;
  delaySubject: string;
  /** Stream of dead letters. */
  dlStream: string;
  dlSubject: string;
}

export function topicNames(streamPrefix: string, subjectPrefix: string, topic: string): TopicNames {
  const t = token(topic);
  return {
    stream: `${streamPrefix}${t}`,
    subject: `${subjectPrefix}.m.${t}`,
    delayStream: `${streamPrefix}${t}_DELAY`,
    delaySubject: `${subjectPrefix}.d.${t}`,
    dlStream: `${streamPrefix}${t}_DLQ`,
    dlSubject: `${subjectPrefix}.dl.${t}`,
  };
}

/** Durable consumer name of a group. */
export function consumerName(group: string): string {
  return token(group);
}
