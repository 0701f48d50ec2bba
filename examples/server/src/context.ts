/**
 * @module context
 * What the route files share: the route table, the pipeline and the server's services.
 */
import type { SecretBox } from '@tributary/core/crypto';
import type { Pipeline } from '@tributary/core/pipeline';
import type { AnyTarget } from '@tributary/core/target';
import type { WebhookHandler } from '@tributary/core/webhooks';
import type { Api, AppContext } from './api.js';
import type { Auth } from './auth.js';
import type { ServerConfig } from './config.js';
import type { Logger } from './logger.js';
import type { ServerMetrics } from './metrics.js';

/** Dependencies of the route files. */
export interface RouteDeps {
  api: Api;
  config: ServerConfig;
  pipeline: Pipeline;
  auth: Auth;
  /** Targets by name (their config schemas decrypt stored secrets). */
  targets: ReadonlyMap<string, AnyTarget>;
  secretBox: SecretBox;
  metrics: ServerMetrics;
  webhooks: WebhookHandler;
  log: Logger;
  /** Which engines run, for `/readyz`. */
  engines: { storage: string; queue: string };
  /** Sources were created, changed or deleted (the scheduler re-reads them). */
  onSourcesChanged(): void;
  /** The server's public origin, for the URLs it hands out. */
  publicUrl(c: AppContext): string;
}
