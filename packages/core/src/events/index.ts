/**
 * @module @tributary/core/events
 * A typed event bus (on eventemitter3) on which every stage reports what it does. Logs, metrics and
 * traces in a host are listeners on this bus; nothing in core logs by itself.
 */
import { EventEmitter } from 'eventemitter3';

/** The pipeline stages, in flow order. */
export type StageName = 'fetch' | 'parse' | 'analyze' | 'report' | 'deliver';

/** Events emitted by Tributary components, by name. */
export interface TributaryEvents {
  'stage.completed': { stage: StageName; messageId: string; workspaceId?: string; durationMs: number; traceId?: string };
  /**
   * A stage's handler failed. `waitingForEngine` is set when the pipeline's storage or queue could not
   * be reached: the message went back to wait for it without spending an attempt.
   */
  'stage.failed': { stage: StageName; messageId: string; workspaceId?: string; error: Error; attempt: number; willRetry: boolean; traceId?: string; waitingForEngine?: boolean };
  'message.dead_lettered': { topic: string; messageId: string; reason: string; workspaceId?: string };
  'fetch.run.started': { workspaceId: string; sourceId: string; runId: string; trigger: string };
  'fetch.page': { workspaceId: string; sourceId: string; runId: string; items: number; page: number };
  'fetch.run.completed': { workspaceId: string; sourceId: string; runId: string; pages: number; items: number; durationMs: number };
  'fetch.run.failed': { workspaceId: string; sourceId: string; runId: string; error: Error; pages: number; items: number };
  'fetch.run.skipped': { workspaceId: string; sourceId: string; reason: 'locked' | 'circuit_open' | 'disabled' };
  /** A connector stored rotated credentials (`saved: false` when newer ones were already there). */
  'source.credentials_rotated': { workspaceId: string; sourceId: string; saved: boolean };
  'record.stored': { workspaceId: string; sourceId: string; recordId: string; status: 'created' | 'updated' | 'unchanged' | 'stale'; revision: number };
  'record.rejected': { workspaceId: string; sourceId: string; externalId?: string; error: Error };
  'record.analyzed': { workspaceId: string; recordId: string; analyzers: string[]; durationMs: number };
  'delivery.succeeded': { target: string; messageId: string; idempotencyKey: string; status?: number; durationMs: number; attempt: number };
  'delivery.failed': { target: string; messageId: string; idempotencyKey: string; status?: number; error: Error; attempt: number; willRetry: boolean };
  'delivery.throttled': { target: string; waitMs: number; reason: 'rate_limit' | 'retry_after' | 'budget' | 'circuit_open' };
  'queue.stats': { topic: string; depth: number; inFlight: number; deadLetters: number; oldestAgeMs: number | null };
  'queue.stats_failed': { topic: string; error: Error };
  'listener.error': { event: string; error: Error };
}

export type EventName = keyof TributaryEvents;

/** A typed event bus. Listener errors never reach the emitter; they are re-emitted as `listener.error`. */
export class EventBus<Events extends object = TributaryEvents> {
  private readonly emitter = new EventEmitter();

  on<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): () => void {
    this.emitter.on(event, listener as (payload: unknown) => void);
    return () => this.off(event, listener);
  }

  once<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): () => void {
    this.emitter.once(event, listener as (payload: unknown) => void);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): void {
    this.emitter.off(event, listener as (payload: unknown) => void);
  }

  /** Listens to every event: `(name, payload)`. */
  onAny(listener: (event: keyof Events & string, payload: unknown) => void): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  emit<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    for (const listener of this.emitter.listeners(event)) {
      try {
        (listener as (p: unknown) => void)(payload);
      } catch (error) {
        this.reportListenerError(event, error);
      }
    }
    for (const listener of this.anyListeners) {
      try {
        listener(event, payload);
      } catch (error) {
        this.reportListenerError(event, error);
      }
    }
  }

  /** Waits for the next event of a name that matches `predicate`. */
  waitFor<K extends keyof Events & string>(event: K, predicate: (payload: Events[K]) => boolean = () => true, timeoutMs = 10_000): Promise<Events[K]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${event}`));
      }, timeoutMs);
      const off = this.on(event, (payload) => {
        if (!predicate(payload)) return;
        clearTimeout(timer);
        off();
        resolve(payload);
      });
    });
  }

  removeAllListeners(): void {
    this.emitter.removeAllListeners();
    this.anyListeners.clear();
  }

  private readonly anyListeners = new Set<(event: keyof Events & string, payload: unknown) => void>();

  private reportListenerError(event: string, error: unknown): void {
    if (event === 'listener.error') return;
    const err = error instanceof Error ? error : new Error(String(error));
    const listeners = this.emitter.listeners('listener.error');
    for (const l of listeners) {
      try {
        (l as (p: unknown) => void)({ event, error: err });
      } catch {
        // a failing error listener has nowhere left to report to
      }
    }
  }
}

/** Creates the default Tributary event bus. */
export function createEventBus(): EventBus<TributaryEvents> {
  return new EventBus<TributaryEvents>();
}
