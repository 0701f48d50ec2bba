/**
 * Caps the requests in flight to one target. Waiters are served in arrival order; a waiter whose
 * signal aborts leaves the line, so a delivery that gives up waiting holds nothing.
 */
export class Gate {
  private active = 0;
  private readonly waiting: { admit: () => void }[] = [];

  constructor(private readonly size: number) {}

  /** Whether every place is taken, so a newcomer would wait. */
  get full(): boolean {
    return this.active >= this.size;
  }

  /** Takes a place: true once taken, false when `signal` aborted first (no place is held then). */
  enter(signal: AbortSignal): Promise<boolean> {
    if (this.active < this.size) {
      this.active++;
      return Promise.resolve(true);
    }
    if (signal.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      };
      const waiter = {
        admit: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(true);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Gives a place back, to the first waiter if there is one. */
  leave(): void {
    const next = this.waiting.shift();
    if (next) next.admit();
    else this.active--;
  }
}
