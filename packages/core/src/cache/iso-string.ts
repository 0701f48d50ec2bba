/**
 * `new Date(epochMs).toISOString()`, reusing the last string made when asked for the same
 * millisecond again. Internal to core (no subpath export).
 *
 * Formatting a date takes 0.4–0.8 µs on the bench machine, and the ingest path formats the same
 * moment more than once per request (when an item arrived, when a delivery was accepted) for a burst
 * of requests that arrive within one millisecond. One entry is enough: time only moves forward.
 * @throws RangeError for a time that is not a valid date, as `toISOString` does
 */
let lastMs = Number.NaN;
let lastIso = '';

export function isoString(epochMs: number): string {
  if (epochMs !== lastMs) {
    // Formatted first: an invalid time throws here and leaves the last entry as it was.
    lastIso = new Date(epochMs).toISOString();
    lastMs = epochMs;
  }
  return lastIso;
}
