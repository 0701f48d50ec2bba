// Thin layer over services.ts (the shared service gate): the same `requireService`, plus a helper that
// registers a visibly skipped suite carrying the reason.
import { describe, it } from 'vitest';

export { requireService, type ServiceCheck } from './services.js';

/** Registers a visibly skipped suite whose name carries the reason. */
export function skippedSuite(name: string, reason: string): void {
  describe.skip(`${name} — skipped: ${reason}`, () => {
    it('needs the service', () => undefined);
  });
}
