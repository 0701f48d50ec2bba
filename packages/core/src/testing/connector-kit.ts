import { describe } from 'vitest';
import type { Connector, RawItem, WebhookRequest } from '../connector/index.js';
import { connectorFetchCases } from './connector-cases-fetch.js';
import { connectorParseCases } from './connector-cases-parse.js';
import { connectorWebhookCases } from './connector-cases-webhook.js';
import { kitCases, type KitSkip } from './kit-cases.js';

/** Options of {@link testConnector}. */
export interface ConnectorKitOptions<C, K, P> {
  connector: Connector<C, K, P>;
  /** A valid config (before defaults; the kit parses it with `configSchema`). */
  config: C;
  credentials?: K;
  /** Raw items the connector must parse into valid record drafts. */
  samples?: RawItem[];
  /** When the connector fetches: `setup` installs HTTP fixtures (the caller owns the msw server) and the kit runs fetch to completion. */
  fetch?: {
    setup?: () => void | Promise<void>;
    /** Exact number of distinct items a full run from no checkpoint must yield. */
    expectItems?: number;
  };
  /** When the connector takes webhooks: requests to parse (already "verified"). */
  webhook?: { requests: () => WebhookRequest[] | Promise<WebhookRequest[]>; expectItems?: number };
  /** Cases to skip, each with its reason. */
  skip?: KitSkip[];
}

/** What every connector case receives: the options, with config and credentials run through their schemas. */
export interface ConnectorKitContext<C, K, P> {
  readonly options: ConnectorKitOptions<C, K, P>;
  readonly connector: Connector<C, K, P>;
  /** The config as the runtime would hand it over: parsed, defaults applied. */
  config(): C;
  credentials(): K;
}

/** One case of the connector kit; `applies` says why it cannot run for this connector, if it cannot. */
export interface ConnectorCase {
  run<C, K, P>(k: ConnectorKitContext<C, K, P>): Promise<void> | void;
  /** Returns a reason to skip (shown in the test name), or undefined when the case applies. */
  notApplicable?<C, K, P>(options: ConnectorKitOptions<C, K, P>): string | undefined;
}

/**
 * The contract every connector must pass: metadata, pure parsing of samples, fetch runs against
 * HTTP fixtures (checkpoints, resume, abort) and webhook parsing. Cases that need something the
 * connector lacks (no `fetch`) or the caller did not give (no samples) show as skipped with the reason.
 * @example testConnector('discourse', { connector: discourse, config, samples, fetch: { setup: () => server.use(...handlers), expectItems: 12 } })
 */
export function testConnector<C, K, P>(name: string, options: ConnectorKitOptions<C, K, P>): void {
  const { connector } = options;
  describe(`connector contract: ${name}`, () => {
    const context: ConnectorKitContext<C, K, P> = {
      options,
      connector,
      config: () => connector.configSchema.parse(options.config),
      credentials: () => (options.credentials !== undefined && connector.credentialsSchema ? connector.credentialsSchema.parse(options.credentials) : (options.credentials as K)),
    };
    const register = kitCases(options.skip, 30_000);
    for (const cases of [connectorParseCases, connectorFetchCases, connectorWebhookCases]) {
      for (const [caseName, c] of Object.entries(cases)) {
        const reason = c.notApplicable?.(options);
        if (reason !== undefined) register.skip(caseName, reason);
        else register(caseName, () => c.run(context));
      }
    }
    register.done();
  });
}
