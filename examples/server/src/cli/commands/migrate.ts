/**
 * @module cli/commands/migrate
 * `tributary migrate`: applies the missing database migrations of the configured engines —
 * PostgreSQL (`DATABASE_URL`; the queue tables too unless a broker runs the queue) or the embedded
 * PGlite database — so servers can start with nothing left to do. Idempotent.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, parseCommand } from '../args.js';
import { isEmbedded } from '../../config.js';
import { createEngines, redactUrl } from '../../engines.js';
import { cliConfig, refuseIfServed } from '../context.js';
import { say } from '../output.js';
import { migrateSpec } from '../specs.js';


export async function migrateCommand(argv: string[]): Promise<number> {
  parseCommand(migrateSpec, argv);
  const config = cliConfig();
  if (config.DATABASE_URL) {
    const { migrate } = await import('@tributary/adapters/postgres');
    const brokered = Boolean(config.REDIS_URL || config.NATS_URL || config.AMQP_URL);
    const report = await migrate({ connectionString: config.DATABASE_URL, components: brokered ? ['storage'] : ['storage', 'queue'] });
    for (const applied of report.applied) say(`applied ${applied}`);
    say(`${redactUrl(config.DATABASE_URL)}: ${report.applied.length ? `${report.applied.length} migration${report.applied.length === 1 ? '' : 's'} applied` : 'up to date'}${report.layout ? ` (records layout: ${JSON.stringify(report.layout)})` : ''}`);
    return EXIT.ok;
  }
  if (isEmbedded(config) && config.TRIBUTARY_EMBEDDED === 'memory') {
    say('TRIBUTARY_EMBEDDED=memory: nothing to migrate');
    return EXIT.ok;
  }
  await refuseIfServed(config);
  // The server creates the data directory with its secrets; migrating may come first.
  mkdirSync(resolve(config.TRIBUTARY_DATA_DIR), { recursive: true, mode: 0o700 });
  const engines = await createEngines(config);
  try {
    // The SQL adapters migrate when they connect.
    for (const engine of [engines.storage, engines.queue] as unknown as { connect?: () => Promise<void> }[]) await engine.connect?.();
    say(`${engines.describe.storage}: up to date`);
    return EXIT.ok;
  } finally {
    await engines.dispose();
  }
}
