/**
 * @module demo/senders
 * What pushes data into the demo server, over HTTP like any outside sender:
 * - the forum's webhooks: every new post as a Discourse `post_created` delivery, signed with
 *   `X-Discourse-Event-Signature`;
 * - an in-app feedback widget: comments with a rating, signed the Standard Webhooks way;
 * - a billing system: refunds and credits as seed 003 value records on the records API (some above
 *   the workspace's alert threshold).
 */
import type { FetchFunction } from '@tributary/core/connector';
import { signDiscourse, signStandardWebhook } from '@tributary/core/webhooks';
import { MEMBERS, WIDGET_FEEDBACK } from './corpus.js';
import { between, pick, seededRandom } from './random.js';
import type { Simulator } from './simulator.js';

/** Counters of a sender. */
export interface SenderStats {
  sent: number;
  failed: number;
  /** Status of the last answer (0: no answer). */
  lastStatus: number | null;
  lastError: string | null;
}

export interface Sender {
  readonly stats: SenderStats;
  /** Sends one now (the timer does the same). */
  sendOne(): Promise<void>;
  stop(): void;
}

interface SenderOptions {
  fetch?: FetchFunction;
  /** Called when a delivery fails (the demo logs it). */
  onError?: (error: string) => void;
}

/** Runs `send` every `everyMs` (±50%), keeping counters. */
function periodic(everyMs: number | false, send: () => Promise<Response | undefined>, options: SenderOptions): Sender {
  const stats: SenderStats = { sent: 0, failed: 0, lastStatus: null, lastError: null };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const sendOne = async () => {
    try {
      const res = await send();
      if (!res) return;
      stats.lastStatus = res.status;
      const text = await res.text();
      if (res.ok) {
        stats.sent++;
      } else {
        stats.failed++;
        stats.lastError = `HTTP ${res.status}: ${text.slice(0, 200)}`;
        options.onError?.(stats.lastError);
      }
    } catch (error) {
      stats.failed++;
      stats.lastStatus = 0;
      stats.lastError = (error as Error).message;
      if (!stopped) options.onError?.(stats.lastError);
    }
  };
  const schedule = () => {
    if (everyMs === false || stopped) return;
    timer = setTimeout(() => void sendOne().finally(schedule), everyMs * (0.5 + Math.random()));
    timer.unref();
  };
  schedule();
  return {
    stats,
    sendOne,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** The forum's webhook: each new post of the simulator, delivered as Discourse does. */
export function forumWebhookSender(simulator: Simulator, options: SenderOptions & { url: string; secret: string }): Sender {
  const fetch = options.fetch ?? globalThis.fetch;
  const queue: number[] = [];
  let eventId = 0;
  const deliver = async () => {
    const id = queue.shift();
    const post = simulator.forum.posts.find((p) => p.id === id);
    if (!post) return undefined;
    const body = JSON.stringify({ post: simulator.forum.serialize(post) });
    return fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-discourse-instance': simulator.url,
        'x-discourse-event-id': String(++eventId),
        'x-discourse-event-type': 'post',
        'x-discourse-event': 'post_created',
        ...signDiscourse(body, options.secret),
      },
      body,
    });
  };
  const sender = periodic(false, deliver, options);
  const off = simulator.onPost((post) => {
    queue.push(post.id);
    void sender.sendOne();
  });
  return {
    stats: sender.stats,
    sendOne: sender.sendOne,
    stop() {
      off();
      sender.stop();
    },
  };
}

/** The feedback widget's events, `feedback.submitted`, signed with Standard Webhooks. */
export function widgetSender(options: SenderOptions & { url: string; secret: string; everyMs?: number | false; seed?: number }): Sender {
  const fetch = options.fetch ?? globalThis.fetch;
  const random = seededRandom(options.seed ?? Date.now());
  let n = 0;
  return periodic(
    options.everyMs ?? 9000,
    () => {
      const feedback = pick(random, WIDGET_FEEDBACK);
      const [username, name] = pick(random, MEMBERS);
      const id = `fb_${Date.now().toString(36)}_${(++n).toString(36)}`;
      const body = JSON.stringify({
        id,
        type: 'feedback.submitted',
        created_at: new Date().toISOString(),
        data: { comment: feedback.text, rating: feedback.rating, page: `/app/${feedback.theme}`, user: { id: `u_${username}`, name } },
      });
      return fetch(options.url, { method: 'POST', headers: { 'content-type': 'application/json', ...signStandardWebhook({ id, timestamp: Date.now(), body, secret: options.secret }) }, body });
    },
    options,
  );
}

/** Refunds and credits from a billing system, as seed 003 value records on the records API. */
export function billingSender(options: SenderOptions & { url: string; apiKey: string; everyMs?: number | false; seed?: number }): Sender {
  const fetch = options.fetch ?? globalThis.fetch;
  const random = seededRandom(options.seed ?? Date.now() + 1);
  let n = 0;
  return periodic(
    options.everyMs ?? 15_000,
    () => {
      const records = Array.from({ length: between(random, 1, 3) }, () => {
        const refund = random() < 0.6;
        // Mostly small amounts; now and then one above the demo's alert threshold (500 EUR).
        const cents = random() < 0.15 ? between(random, 50_000, 180_000) : between(random, 500, 40_000);
        return {
          recordId: `bill_${Date.now().toString(36)}_${(++n).toString(36)}`,
          time: new Date().toISOString(),
          sourceId: 'billing',
          destinationId: pick(random, ['acct-eu-1', 'acct-eu-2', 'acct-us-1']),
          type: refund ? 'negative' : 'positive',
          value: (cents / 100).toFixed(2),
          unit: 'EUR',
          reference: refund ? 'refund' : 'credit',
        };
      });
      return fetch(options.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` }, body: JSON.stringify({ records }) });
    },
    options,
  );
}
