/**
 * The handlers a consumer is running: counted for its concurrency slots, raced when every slot is busy,
 * and awaited on close so their results still count. What to do with a failure and when a slot frees
 * is given once, to the constructor: {@link InFlight.track} runs once per message and allocates no
 * callback of the caller's.
 */
export class InFlight {
  private readonly tasks = new Set<Promise<void>>();

  /**
   * @param onError receives what a tracked task rejected with
   * @param after runs when a tracked task settled and its slot is free
   */
  constructor(
    private readonly onError: (error: unknown) => void,
    private readonly after?: () => void,
  ) {}

  /** Handlers running now. */
  get size(): number {
    return this.tasks.size;
  }

  /** Tracks a task until it settles. */
  track(task: Promise<void>): void {
    const tracked: Promise<void> = task.catch(this.onError).finally(() => {
      this.tasks.delete(tracked);
      this.after?.();
    });
    this.tasks.add(tracked);
  }

  /** Resolves when any running handler finishes. */
  any(): Promise<void> {
    return Promise.race(this.tasks);
  }

  /** Resolves when every running handler finished. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.tasks]);
  }
}
