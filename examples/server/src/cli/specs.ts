/**
 * @module cli/specs
 * The declarations of the commands (options and help), apart from their implementations so that
 * `--help` and usage errors answer without loading the engines, connectors and analyzers.
 */
import type { StageName } from '@tributary/core/events';
import type { CommandSpec } from './args.js';

/** The server's roles (`src/server.ts` ROLES; kept here so `--help` loads nothing of the server). */
export const ROLES = ['all', 'api', 'worker', 'dispatcher'] as const;
/** The pipeline's stages, in flow order. */
export const STAGES: readonly StageName[] = ['fetch', 'parse', 'analyze', 'report', 'deliver'];

export const analyzeSpec: CommandSpec = {
  name: 'analyze',
  summary: 'Analyze texts: NDJSON {id, text} on stdin, NDJSON {id, analysis, analyzers} on stdout.',
  usage: 'tributary analyze [options] < in.ndjson > out.ndjson',
  details: [
    'Each input line is a JSON object with an `id` (string or number) and a `text`; `title` and `language`',
    '(ISO 639-1, when the source knows it) are optional. Each output line has the same id, the analysis',
    '(sentiment, language, keyphrases, topics, category, moderation) and the analyzer versions that made it.',
    'Invalid lines are reported on stderr with their line number and skipped; the exit code stays 0.',
  ].join('\n'),
  options: {
    analyzers: { type: 'string', valueName: 'names', description: 'Comma-separated subset of the analyzers, in their order (default: all)' },
    'max-line-bytes': { type: 'string', valueName: 'n', description: 'Longest input line read (default 1048576)' },
    quiet: { type: 'boolean', short: 'q', description: 'No progress and no summary on stderr' },
  },
  examples: ['echo \'{"id":1,"text":"I love it"}\' | tributary analyze', 'tributary analyze --analyzers language,sentiment < reviews.ndjson > analyzed.ndjson'],
};

export const syncSpec: CommandSpec = {
  name: 'sync',
  summary: 'Pull a source once and print its records as NDJSON on stdout (like a Singer tap), analysis included.',
  usage: 'tributary sync <connector> --config <file.json> [--credentials <file.json>] [--state <file.json>]',
  details: [
    "Runs the connector's fetch and parse and the analyzers in this process, in memory: no server or",
    'database is needed and nothing is stored. With --state, the pull starts from the checkpoint in that',
    'file (when it exists) and writes the new checkpoint there when it succeeds, for incremental pulls.',
    'Requests to loopback, private and metadata addresses are refused unless --allow-private-network (or',
    'TRIBUTARY_ALLOW_PRIVATE_NETWORK=true, or the host in TRIBUTARY_ALLOWED_HOSTS).',
  ].join('\n'),
  positionals: { min: 1, max: 1, names: '<connector>' },
  options: {
    config: { type: 'string', short: 'c', valueName: 'file', description: "The connector's configuration (JSON file)" },
    credentials: { type: 'string', valueName: 'file', description: "The connector's credentials (JSON file)" },
    state: { type: 'string', valueName: 'file', description: 'Checkpoint to start from and to save (JSON file)' },
    'allow-private-network': { type: 'boolean', description: 'Let the connector reach private addresses (development)' },
    quiet: { type: 'boolean', short: 'q', description: 'Only errors on stderr' },
  },
  examples: ['tributary sync discourse --config forum.json > posts.ndjson', 'tributary sync github --config repo.json --credentials token.json --state github.state.json'],
};

export const importSpec: CommandSpec = {
  name: 'import',
  summary: 'Import a CSV or NDJSON file into a workspace, through the file connector, on the configured engines.',
  usage: 'tributary import <file> [options]',
  details: [
    'Rows become records through the field mapping (columns left out are looked up under their usual names:',
    'text, title, created_at…), then are analyzed and reported like any other. Re-importing the same path',
    'reuses its source: an interrupted import resumes where it stopped, and rows already imported are',
    'updated, not duplicated (--from-start reads the whole file again). Deliveries are queued for the',
    "server's dispatcher. On the embedded engine, stop the server first: its database has one owner at a time.",
  ].join('\n'),
  positionals: { min: 1, max: 1, names: '<file>' },
  options: {
    workspace: { type: 'string', short: 'w', valueName: 'id|name', description: 'Workspace (default: the only one)' },
    format: { type: 'string', valueName: 'csv|ndjson', description: 'File format (default: from the extension)' },
    mapping: { type: 'string', valueName: 'json|file', description: 'Field mapping, as JSON or a JSON file, e.g. {"text":"comment","occurredAt":"submitted"}' },
    id: { type: 'string', valueName: 'column', description: "Column or dot path of each row's id (default: id)" },
    'item-type': { type: 'string', valueName: 'type', description: 'What the rows are, e.g. survey.response (default: file.row)' },
    delimiter: { type: 'string', valueName: 'char', description: 'CSV delimiter (default: , or a tab for .tsv)' },
    name: { type: 'string', valueName: 'name', description: 'Name of the source (default: "Import <file name>")' },
    'from-start': { type: 'boolean', description: 'Read the whole file again instead of resuming' },
    quiet: { type: 'boolean', short: 'q', description: 'Only the final line' },
  },
  examples: ['tributary import reviews.csv --workspace acme --mapping \'{"text":"comment","occurredAt":"date"}\' --id review_id'],
};

export const migrateSpec: CommandSpec = {
  name: 'migrate',
  summary: 'Apply the missing database migrations (PostgreSQL with DATABASE_URL, else the embedded PGlite database).',
  usage: 'tributary migrate',
  details: 'Idempotent: concurrent runs are serialized by an advisory lock. With a broker (REDIS_URL, NATS_URL, AMQP_URL) the queue tables are left out.',
  options: {},
};

export const serveSpec: CommandSpec = {
  name: 'serve',
  summary: 'Run the server (the same as `pnpm start`): the HTTP API, the workers and the dispatcher, or one role.',
  usage: 'tributary serve [--role all|api|worker|dispatcher] [--demo | --no-demo]',
  details: 'Configured by the environment (PORT, DATABASE_URL, REDIS_URL…: see examples/server/README.md). Stops on SIGINT or SIGTERM after finishing the messages in progress.',
  options: {
    role: { type: 'string', valueName: 'role', description: `What this process runs: ${ROLES.join(', ')} (default: all)` },
    demo: { type: 'boolean', description: 'Start the demo (simulated forum and webhook senders)' },
    'no-demo': { type: 'boolean', description: 'Do not start the demo' },
  },
  examples: ['tributary serve', 'tributary serve --role worker'],
};

const filters = {
  workspace: { type: 'string', short: 'w', valueName: 'id|name', description: 'Only the dead letters of this workspace' },
  stage: { type: 'string', short: 's', valueName: 'stage', description: `Only this stage's topic: ${STAGES.join(', ')} (default: all)` },
} as const;

export const dlqListSpec: CommandSpec = {
  name: 'dlq list',
  summary: 'List dead letters: messages a stage gave up on, oldest first.',
  usage: 'tributary dlq list [--workspace <id>] [--stage <stage>] [--json]',
  options: {
    ...filters,
    limit: { type: 'string', valueName: 'n', description: 'At most this many (default 100)' },
    json: { type: 'boolean', description: 'One JSON object per line, payload included' },
  },
  examples: ['tributary dlq list --stage deliver', 'tributary dlq list --workspace acme --json | jq .reason'],
};

export const dlqReplaySpec: CommandSpec = {
  name: 'dlq replay',
  summary: 'Replay dead letters: publish them again, with a fresh attempt count, to the consumers that gave up.',
  usage: 'tributary dlq replay (<id>... | --all) [--workspace <id>] [--stage <stage>]',
  positionals: { min: 0, max: 1000, names: '<id>' },
  options: {
    ...filters,
    all: { type: 'boolean', description: 'Every dead letter matching --workspace and --stage' },
  },
  examples: ['tributary dlq replay dl_123 dl_456', 'tributary dlq replay --all --stage deliver --workspace acme'],
};

export const dlqSpec: CommandSpec = {
  name: 'dlq',
  summary: 'List or replay dead letters.',
  usage: 'tributary dlq <list|replay> [options]',
  details: 'Commands:\n  list     List dead letters (tributary dlq list --help)\n  replay   Replay dead letters (tributary dlq replay --help)',
  options: {},
};


export const keysRotateSpec: CommandSpec = {
  name: 'keys rotate',
  summary: 'Re-encrypt every stored secret with the primary encryption key (after TRIBUTARY_SECRET_KEY changed).',
  usage: 'tributary keys rotate [--dry-run] [--quiet]',
  details: [
    'Rotating the encryption key: set the new key as TRIBUTARY_SECRET_KEY and the old one in',
    'TRIBUTARY_SECRET_KEY_PREVIOUS (comma-separated when several), restart the servers, then run this: it',
    'rewrites source credentials, webhook secrets and destination secrets under the new key (and moves',
    'destination secrets to the workspace-bound format). Interrupted, it resumes where it stopped; run again,',
    'it only reads. When it reports nothing left (--dry-run shows 0 to re-encrypt), remove the old key.',
  ].join('\n'),
  options: {
    'dry-run': { type: 'boolean', description: 'Only count what still needs re-encryption' },
    quiet: { type: 'boolean', short: 'q', description: 'Only the final line' },
  },
  examples: ['TRIBUTARY_SECRET_KEY=<new> TRIBUTARY_SECRET_KEY_PREVIOUS=<old> tributary keys rotate', 'tributary keys rotate --dry-run'],
};

export const keysSpec: CommandSpec = {
  name: 'keys',
  summary: 'Manage the encryption key of stored secrets.',
  usage: 'tributary keys rotate [options]',
  details: 'Commands:\n  rotate   Re-encrypt stored secrets with the primary key (tributary keys rotate --help)',
  options: {},
};
