import { createError, type FieldIssue } from '@tributary/core/errors';
import { isObject, readPath } from '../_mapping/index.js';
import { COMPONENT } from './errors.js';

/** The events of a body, each with the path it sits at (for messages). */
export interface LocatedEvent {
  event: Record<string, unknown>;
  /** e.g. `events.3`, `2`, or `` for a body that is one event. */
  path: string;
}

/**
 * Finds the events of a webhook body: at `eventsPath` when configured; else an array body, or
 * `{ events: [...] }`, is a batch and any other object one event.
 * @throws TributaryError `validation` naming each entry that is not a JSON object
 */
export function eventsOf(body: unknown, eventsPath: string | undefined): LocatedEvent[] {
  let list: unknown[];
  let prefix: string;
  if (eventsPath !== undefined) {
    const found = readPath(body, eventsPath);
    if (!Array.isArray(found)) {
      if (isObject(found) && eventsPath !== '') return [{ event: found, path: eventsPath }];
      throw invalid([{ path: eventsPath || 'body', message: `expected an array of events at ${JSON.stringify(eventsPath)}` }]);
    }
    list = found;
    prefix = eventsPath ? `${eventsPath}.` : '';
  } else if (Array.isArray(body)) {
    list = body;
    prefix = '';
  } else if (isObject(body) && Array.isArray(body.events)) {
    list = body.events;
    prefix = 'events.';
  } else if (isObject(body)) {
    return [{ event: body, path: '' }];
  } else {
    throw invalid([{ path: 'body', message: body === undefined ? 'the body is empty: expected a JSON object or array' : 'expected a JSON object or an array of objects' }]);
  }
  const issues: FieldIssue[] = [];
  const events: LocatedEvent[] = [];
  list.forEach((entry, i) => {
    if (isObject(entry) && !Array.isArray(entry)) events.push({ event: entry, path: `${prefix}${i}` });
    else issues.push({ path: `${prefix}${i}`, message: 'expected a JSON object' });
  });
  // A batch with entries that are not events at all was not built by a sender we understand.
  if (issues.length) throw invalid(issues);
  return events;
}

function invalid(issues: FieldIssue[]): Error {
  return createError(COMPONENT, 'validation', `invalid webhook body (${issues[0]!.path}: ${issues[0]!.message})`, { issues });
}
