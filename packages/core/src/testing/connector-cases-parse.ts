import { expect } from 'vitest';
import type { RecordDraft } from '../record/schema.js';
import type { ConnectorCase, ConnectorKitOptions } from './connector-kit.js';
import { deepFreeze, KIT_ORIGIN, parseValid } from './connector-run.js';

const KEBAB_CASE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** semver.org's grammar: MAJOR.MINOR.PATCH, optional pre-release and build. */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const SIGNATURE_SCHEMES = ['standard-webhooks', 'github', 'stripe', 'shopify', 'slack', 'discourse', 'none'];

/** Fails clearly (rather than with "parse is not a function") when samples come without a parse. */
function requireParse(parse: unknown): void {
  expect(parse, 'samples given, so the connector must parse').toBeTypeOf('function');
}

function samplesMissing<C, K, P>(o: ConnectorKitOptions<C, K, P>): string | undefined {
  if (!o.connector.parse && !o.samples?.length) return 'the connector has no parse';
  if (!o.samples?.length) return 'no samples given (options.samples)';
  return undefined;
}

/** Metadata and parsing of sample items. */
export const connectorParseCases: Record<string, ConnectorCase> = {
  'metadata: kebab-case name, semver version, schemas accept the given config': {
    run({ connector, options }) {
      expect(connector.name, 'name is kebab-case').toMatch(KEBAB_CASE);
      expect(connector.version, 'version is semver').toMatch(SEMVER);
      const config = connector.configSchema.safeParse(options.config);
      expect(config.success, `configSchema rejects the given config: ${config.success ? '' : config.error.message}`).toBe(true);
      if (options.credentials !== undefined && connector.credentialsSchema) {
        const credentials = connector.credentialsSchema.safeParse(options.credentials);
        expect(credentials.success, `credentialsSchema rejects the given credentials: ${credentials.success ? '' : credentials.error.message}`).toBe(true);
      }
      expect(Boolean(connector.fetch || connector.parse || connector.webhook), 'implements fetch, parse or webhook').toBe(true);
      if (connector.webhook) expect(SIGNATURE_SCHEMES).toContain(connector.webhook.signatureScheme);
      if (connector.fetch) expect(connector.parse, 'a connector that fetches also parses what it fetches').toBeTypeOf('function');
    },
  },

  'samples parse into valid record drafts': {
    notApplicable: samplesMissing,
    async run({ connector, options, config }) {
      requireParse(connector.parse);
      let total = 0;
      for (const [i, sample] of options.samples!.entries()) {
        total += (await parseValid(connector, structuredClone(sample), config(), `sample ${i} (${sample.externalId})`)).length;
      }
      expect(total, 'the samples yield at least one draft').toBeGreaterThan(0);
    },
  },

  'parse is deterministic and does not mutate its input': {
    notApplicable: samplesMissing,
    async run({ connector, options, config }) {
      requireParse(connector.parse);
      const cfg = config();
      for (const [i, sample] of options.samples!.entries()) {
        const original = structuredClone(sample);
        const input = structuredClone(sample);
        const first = await connector.parse!(input, { ...KIT_ORIGIN, config: cfg });
        expect(input, `sample ${i}: parse left its input as it was`).toEqual(original);
        // A frozen input makes any write throw, which catches mutations that restore the value afterwards.
        const second = await connector.parse!(deepFreeze(structuredClone(sample)), { ...KIT_ORIGIN, config: cfg });
        expect(second, `sample ${i}: same input, same drafts`).toEqual(first);
      }
    },
  },

  'distinct samples give distinct external ids': {
    notApplicable: samplesMissing,
    async run({ connector, options, config }) {
      requireParse(connector.parse);
      const producedBy = new Map<string, string>();
      for (const [i, sample] of options.samples!.entries()) {
        const drafts: RecordDraft[] = await connector.parse!(structuredClone(sample), { ...KIT_ORIGIN, config: config() });
        const own = drafts.map((d) => d.externalId);
        expect(new Set(own).size, `sample ${i}: its drafts have distinct externalIds`).toBe(own.length);
        for (const id of own) {
          const earlier = producedBy.get(id);
          // Two samples of one item (say, an edit) may share it; two different items must not.
          if (earlier !== undefined) expect(earlier, `draft externalId ${id} comes from two different items`).toBe(sample.externalId);
          producedBy.set(id, sample.externalId);
        }
      }
    },
  },
};
