import { it } from 'vitest';

/** Test names a kit should skip, each with the reason shown in the skipped test's name. */
export interface KitSkip {
  /** Why these cases do not apply, e.g. "Kafka assigns a single partition to one member". */
  reason: string;
  /** Exact names of the kit's cases. */
  tests: string[];
}

/** Registers a kit's cases, honouring its skip list. */
export interface KitCaseRegistrar {
  /** Registers one case, or a visibly skipped placeholder when the skip list names it. */
  (name: string, run: () => Promise<void> | void, timeoutMs?: number): void;
  /** Registers a case that is skipped for a reason the kit itself decided (a feature the subject lacks). */
  skip(name: string, reason: string): void;
  /**
   * Call after the last case: a skip naming no case fails, since a typo would otherwise run a case
   * its author meant to skip, or silently keep one skipped after a rename.
   */
  done(): void;
}

/** Creates the case registrar of one kit run. */
export function kitCases(skip: KitSkip[] = [], defaultTimeoutMs?: number): KitCaseRegistrar {
  const reasons = new Map<string, string>();
  for (const s of skip) for (const t of s.tests) reasons.set(t, s.reason);
  const seen = new Set<string>();
  const register = (name: string, run: () => Promise<void> | void, timeoutMs?: number) => {
    seen.add(name);
    const reason = reasons.get(name);
    if (reason !== undefined) it.skip(`${name} — skipped: ${reason}`, () => undefined);
    else it(name, run, timeoutMs ?? defaultTimeoutMs);
  };
  return Object.assign(register, {
    skip(name: string, reason: string) {
      seen.add(name);
      it.skip(`${name} — skipped: ${reason}`, () => undefined);
    },
    done() {
      const unknown = [...reasons.keys()].filter((name) => !seen.has(name));
      if (unknown.length === 0) return;
      it('skip list names only existing cases', () => {
        throw new Error(`[tributary] [testing] the skip list names cases this kit does not have: ${unknown.map((n) => JSON.stringify(n)).join(', ')}`);
      });
    },
  });
}
