/**
 * @module demo
 * Demo mode: the server with a simulated outside world, so the first `pnpm start` shows pulls,
 * pushes, analysis, reports and deliveries without internet. In two steps, because the simulator's
 * address must be known before the server is built (to allow it past the private-network guard):
 * 1. {@link prepareDemo} loads the demo's state and starts the simulator (forum + CRM) on loopback;
 * 2. {@link DemoHandle.attach}, once the server listens, sets up the workspace through the HTTP API
 *    (a Discourse source pulling the forum on a schedule and receiving its webhooks, a webhook source
 *    for the feedback widget, a CRM destination, an alert threshold), queues a first pull and starts
 *    the senders.
 * With durable engines the state (ids, the workspace key, the simulator's secrets) is kept in the data
 * directory, so a restart reuses the workspace instead of adding one.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FetchFunction } from '@tributary/core/connector';
import { generateStandardWebhooksSecret } from '@tributary/core/webhooks';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import { billingSender, forumWebhookSender, widgetSender, type Sender } from './senders.js';
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator.js';

/** The name of the demo's workspace. */
export const DEMO_WORKSPACE_NAME = 'Tidepool (demo)';
/** File of the demo's state in the data directory. */
export const DEMO_STATE_FILE = 'demo.json';

const StateSchema = z.object({
  version: z.literal(1),
  /** End of the forum's generated history (ms), so it is the same after a restart. */
  epoch: z.number(),
  forumApiKey: z.string(),
  forumWebhookSecret: z.string(),
  widgetSecret: z.string(),
  crmToken: z.string(),
  simulatorPort: z.number().int().optional(),
  workspaceId: z.string().optional(),
  apiKey: z.string().optional(),
  forumSourceId: z.string().optional(),
  widgetSourceId: z.string().optional(),
  destinationId: z.string().optional(),
});
export type DemoState = z.infer<typeof StateSchema>;

const token = (prefix: string) => `${prefix}${randomBytes(18).toString('base64url')}`;

function freshState(): DemoState {
  return { version: 1, epoch: Date.now(), forumApiKey: token('forum_'), forumWebhookSecret: token('dhook_'), widgetSecret: generateStandardWebhooksSecret(), crmToken: token('crm_') };
}

function loadState(file: string | undefined): DemoState | undefined {
  if (!file) return undefined;
  try {
    const parsed = StateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function saveState(file: string | undefined, state: DemoState): void {
  if (!file) return;
  mkdirSync(dirname(file), { recursive: true });
  // It holds the workspace key and the simulator's secrets: owner only, like the admin token.
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Options of {@link prepareDemo}. */
export interface DemoOptions {
  /** Where to keep the demo's state; unset with in-memory engines (nothing survives a restart anyway). */
  dataDir?: string;
  /** Simulator settings (tests shorten the intervals and tighten the rate limit). */
  simulator?: Partial<Pick<SimulatorOptions, 'postEveryMs' | 'forum'>>;
  /** Pull schedule of the forum source. @default '30s' */
  pullEvery?: string;
  /** Feedback widget interval. @default 9000 */
  widgetEveryMs?: number | false;
  /** Billing interval. @default 15000 */
  billingEveryMs?: number | false;
  /** The fetch the senders use. @default globalThis.fetch */
  fetch?: FetchFunction;
}

/** What {@link DemoHandle.attach} needs of the server. */
export interface DemoServer {
  /** The server's app: the demo sets itself up through the API, in process. */
  app: { fetch(request: Request): Response | Promise<Response> };
  adminToken: string;
  log: Logger;
}

/** The demo once set up. */
export interface Demo {
  workspaceId: string;
  apiKey: string;
  /** The dashboard, with the key in the fragment (never sent to the server; the page moves it to session storage). */
  dashboardUrl: string;
  forumSourceId: string;
  widgetSourceId: string;
  destinationId: string;
  /** True when an earlier run's workspace was reused. */
  reused: boolean;
  senders: { forum: Sender; widget: Sender; billing: Sender };
}

export interface DemoHandle {
  simulator: Simulator;
  /** Hosts the server must be allowed to reach although they are on loopback. */
  allowHosts: string[];
  /** Sets the demo up on a listening server. */
  attach(server: DemoServer, baseUrl: string): Promise<Demo>;
  stop(): Promise<void>;
}

/** An API call that must succeed. */
async function call<T>(app: DemoServer['app'], baseUrl: string, method: string, path: string, bearer: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await app.fetch(
    new Request(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }),
  );
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function must<T>(answer: Promise<{ status: number; body: T }>, what: string): Promise<T> {
  const { status, body } = await answer;
  if (status >= 300) throw new Error(`demo: could not ${what}: HTTP ${status} ${JSON.stringify(body)}`);
  return body;
}

/** Step 1: the state and the simulator. */
export async function prepareDemo(options: DemoOptions = {}): Promise<DemoHandle> {
  const stateFile = options.dataDir ? join(options.dataDir, DEMO_STATE_FILE) : undefined;
  const state = loadState(stateFile) ?? freshState();
  const start = (port: number | undefined) =>
    startSimulator({
      forum: { epoch: state.epoch, apiKey: state.forumApiKey, ...options.simulator?.forum },
      crm: { token: state.crmToken },
      ...(options.simulator?.postEveryMs !== undefined ? { postEveryMs: options.simulator.postEveryMs } : {}),
      ...(port !== undefined ? { port } : {}),
    });
  // The same port as last time when it is free, so the stored source and destination URLs still hold.
  const simulator = await start(state.simulatorPort).catch(() => start(undefined));
  state.simulatorPort = Number(simulator.host.split(':').pop());

  let senders: Demo['senders'] | undefined;
  return {
    simulator,
    allowHosts: [simulator.host],
    async attach(server, baseUrl) {
      const { app, adminToken, log } = server;
      const base = baseUrl.replace(/\/+$/, '');

      let reused = false;
      if (state.workspaceId && state.apiKey) reused = (await call(app, base, 'GET', `/v1/workspaces/${state.workspaceId}`, state.apiKey)).status === 200;
      if (!reused) {
        const created = await must(call<{ id: string; apiKey: string }>(app, base, 'POST', '/v1/workspaces', adminToken, { name: DEMO_WORKSPACE_NAME }), 'create the demo workspace');
        Object.assign(state, { workspaceId: created.id, apiKey: created.apiKey, forumSourceId: undefined, widgetSourceId: undefined, destinationId: undefined });
      }
      const ws = state.workspaceId!;
      const key = state.apiKey!;
      const path = (rest: string) => `/v1/workspaces/${ws}${rest}`;

      const forumConfig = {
        baseUrl: simulator.url,
        // The forum's documented budget; it still answers 429 to bursts, and the connector waits as told.
        keyKind: 'admin',
        requestsPerMinute: 120,
        lookbackDays: 1,
      };
      const forumSource = {
        name: 'Tidepool community forum',
        connector: 'discourse',
        config: forumConfig,
        credentials: { apiKey: state.forumApiKey, apiUsername: 'system' },
        schedule: { every: options.pullEvery ?? '30s' },
        webhook: { scheme: 'discourse', secret: state.forumWebhookSecret },
      };
      const widgetSource = {
        name: 'In-app feedback widget',
        connector: 'webhook',
        config: {
          itemType: 'widget.feedback',
          mapping: { text: 'data.comment', occurredAt: 'created_at', url: 'data.page', author: { platformUserId: 'data.user.id', name: 'data.user.name' }, attributes: { review: { rating: 'data.rating' } } },
        },
        webhook: { scheme: 'standard-webhooks', secret: state.widgetSecret },
      };

      type SourceAnswer = { id: string };
      const ensureSource = async (id: string | undefined, definition: typeof forumSource | typeof widgetSource): Promise<SourceAnswer> => {
        if (id) {
          // After a restart the simulator may listen on another port: point the source at it.
          const patched = await call<SourceAnswer>(app, base, 'PATCH', path(`/sources/${id}`), key, { config: definition.config, ...('credentials' in definition ? { credentials: definition.credentials } : {}), check: false });
          if (patched.status === 200) return patched.body;
        }
        return must(call<SourceAnswer>(app, base, 'POST', path('/sources'), key, definition), `create the source ${definition.name}`);
      };
      const forum = await ensureSource(state.forumSourceId, forumSource);
      const widget = await ensureSource(state.widgetSourceId, widgetSource);
      state.forumSourceId = forum.id;
      state.widgetSourceId = widget.id;

      const crmUrl = `${simulator.url}/crm/events`;
      type DestinationAnswer = { id: string; url: string | null };
      const existing = state.destinationId ? await call<DestinationAnswer>(app, base, 'GET', path(`/destinations/${state.destinationId}`), key) : undefined;
      if (existing?.status !== 200 || existing.body.url !== crmUrl) {
        if (existing?.status === 200) await call(app, base, 'DELETE', path(`/destinations/${state.destinationId}`), key);
        const destination = await must(
          call<DestinationAnswer>(app, base, 'POST', path('/destinations'), key, { kind: 'http', name: 'Tidepool CRM', url: crmUrl, config: { bearerToken: state.crmToken }, rateLimit: { perSecond: 20, burst: 40 } }),
          'create the CRM destination',
        );
        state.destinationId = destination.id;
      }
      await must(call(app, base, 'PUT', path('/settings/alert-thresholds'), key, { EUR: '500' }), 'set the alert threshold');
      saveState(stateFile, state);

      // The schedule's first pull comes at its interval: pull now, so the dashboard fills at once.
      await must(call(app, base, 'POST', path(`/sources/${forum.id}/sync`), key), 'queue the first pull');

      // The local address, not the advertised webhook URL: TRIBUTARY_PUBLIC_URL may name a proxy the senders cannot reach.
      const hookUrl = (answer: SourceAnswer) => `${base}/v1/hooks/${encodeURIComponent(ws)}/${encodeURIComponent(answer.id)}`;
      const onError = (sender: string) => (error: string) => log.warn({ sender, error }, 'demo sender failed');
      senders = {
        forum: forumWebhookSender(simulator, { url: hookUrl(forum), secret: state.forumWebhookSecret, onError: onError('forum webhook'), ...(options.fetch ? { fetch: options.fetch } : {}) }),
        widget: widgetSender({ url: hookUrl(widget), secret: state.widgetSecret, everyMs: options.widgetEveryMs ?? 9000, onError: onError('widget'), ...(options.fetch ? { fetch: options.fetch } : {}) }),
        billing: billingSender({ url: `${base}${path('/records')}`, apiKey: key, everyMs: options.billingEveryMs ?? 15_000, onError: onError('billing'), ...(options.fetch ? { fetch: options.fetch } : {}) }),
      };
      log.info({ workspaceId: ws, forumSourceId: forum.id, widgetSourceId: widget.id, destinationId: state.destinationId, simulator: simulator.url, reused }, 'demo ready');
      return {
        workspaceId: ws,
        apiKey: key,
        dashboardUrl: `${base}/#key=${encodeURIComponent(key)}`,
        forumSourceId: forum.id,
        widgetSourceId: widget.id,
        destinationId: state.destinationId!,
        reused,
        senders,
      };
    },
    async stop() {
      if (senders) for (const s of Object.values(senders)) s.stop();
      await simulator.close();
    },
  };
}

/**
 * Whether demo mode is on: `--demo` / `--no-demo` first, then `TRIBUTARY_DEMO`, else on when the
 * process runs everything on the embedded engine (what the README's first command does) and off
 * with external engines or a split role.
 */
export function demoEnabled(input: { flag: boolean | undefined; env: boolean | undefined; embedded: boolean; role: string }): boolean {
  if (input.flag !== undefined) return input.flag;
  if (input.env !== undefined) return input.env;
  return input.embedded && input.role === 'all';
}
