/**
 * @module cli/commands/dlq
 * `tributary dlq list|replay`: the dead letters of the configured engines, per stage topic, filtered
 * by workspace; a replay publishes a letter again with a fresh attempt count.
 */
import type { StageName } from '@tributary/core/events';
import type { DeadLetter } from '@tributary/core/queue';
import type { TributaryServer } from '../../server.js';
import { EXIT, UsageError, choiceOption, intOption, parseCommand, stringOption } from '../args.js';
import { openServer, resolveWorkspace } from '../context.js';
import { createLineWriter, say } from '../output.js';
import { STAGES, dlqListSpec, dlqReplaySpec } from '../specs.js';

/** Letters read per topic: the queue port lists a topic's letters without a workspace filter. */
const SCAN_LIMIT = 10_000;

interface Letter {
  stage: StageName;
  letter: DeadLetter;
  workspaceId: string | undefined;
}

const letterWorkspace = (letter: DeadLetter) => {
  const ws = (letter.message.payload as { workspaceId?: unknown } | null)?.workspaceId;
  return typeof ws === 'string' ? ws : (letter.message.headers['x-workspace-id'] ?? undefined);
};

async function collect(server: TributaryServer, stages: readonly StageName[], workspaceId: string | undefined): Promise<Letter[]> {
  const out: Letter[] = [];
  for (const stage of stages) {
    for (const letter of await server.pipeline.queue.listDeadLetters(server.pipeline.topics[stage], { limit: SCAN_LIMIT })) {
      const ws = letterWorkspace(letter);
      if (workspaceId === undefined || ws === workspaceId) out.push({ stage, letter, workspaceId: ws });
    }
  }
  return out.sort((a, b) => a.letter.failedAt - b.letter.failedAt);
}

/** The stages and workspace the filters name; the stage is checked before the engines open. */
function stagesOf(values: Record<string, unknown>, command: string): readonly StageName[] {
  const stage = choiceOption(values as Record<string, string>, 'stage', command, STAGES);
  return stage ? [stage] : STAGES;
}

async function workspaceOf(server: TributaryServer, values: Record<string, unknown>, command: string): Promise<string | undefined> {
  const wanted = stringOption(values as Record<string, string>, 'workspace');
  return wanted === undefined ? undefined : (await resolveWorkspace(server, wanted, command)).id;
}

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export async function dlqList(argv: string[]): Promise<number> {
  const { values } = parseCommand(dlqListSpec, argv);
  const limit = intOption(values, 'limit', 'dlq list', 100);
  const stages = stagesOf(values, 'dlq list');
  const server = await openServer();
  try {
    const workspaceId = await workspaceOf(server, values, 'dlq list');
    const letters = (await collect(server, stages, workspaceId)).slice(0, limit);
    const out = createLineWriter(process.stdout);
    if (values.json === true) {
      for (const { stage, letter, workspaceId: ws } of letters) {
        await out.line(JSON.stringify({ id: letter.id, stage, workspaceId: ws ?? null, messageId: letter.message.id, attempts: letter.message.attempt, failedAt: new Date(letter.failedAt).toISOString(), reason: letter.reason, payload: letter.message.payload }));
      }
    } else if (letters.length === 0) {
      say('no dead letters');
    } else {
      const rows = letters.map(({ stage, letter, workspaceId: ws }) => [letter.id, stage, ws ?? '-', String(letter.message.attempt), new Date(letter.failedAt).toISOString(), oneLine(letter.reason, 80)]);
      const header = ['ID', 'STAGE', 'WORKSPACE', 'ATTEMPTS', 'FAILED AT', 'REASON'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      for (const row of [header, ...rows]) await out.line(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
    }
    await out.flush();
    return EXIT.ok;
  } finally {
    await server.stop();
  }
}

export async function dlqReplay(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(dlqReplaySpec, argv);
  if (values.all === true && positionals.length > 0) throw new UsageError('give dead letter ids or --all, not both', 'dlq replay');
  if (values.all !== true && positionals.length === 0) throw new UsageError('give the ids of the dead letters to replay, or --all', 'dlq replay');
  const stages = stagesOf(values, 'dlq replay');
  const server = await openServer();
  try {
    const workspaceId = await workspaceOf(server, values, 'dlq replay');
    const letters = await collect(server, stages, workspaceId);
    const chosen = values.all === true ? letters : positionals.map((id) => letters.find((l) => l.letter.id === id) ?? id);
    let failed = 0;
    for (const entry of chosen) {
      if (typeof entry === 'string') {
        failed++;
        say(`${entry}: no such dead letter${workspaceId ? ' in this workspace' : ''}${stages.length === 1 ? ` on the ${stages[0]} stage` : ''}`);
        continue;
      }
      const ok = await server.pipeline.queue.replayDeadLetter(server.pipeline.topics[entry.stage], entry.letter.id);
      if (ok) say(`replayed ${entry.letter.id} (${entry.stage})`);
      else {
        failed++;
        say(`${entry.letter.id}: already gone (replayed or removed meanwhile)`);
      }
    }
    if (chosen.length === 0) say('no dead letters to replay');
    return failed > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    await server.stop();
  }
}
