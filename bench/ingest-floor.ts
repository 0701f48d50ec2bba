/**
 * The floor of `bench/ingest.ts`: the least a server can do on node:http and still give an ingest
 * route's guarantees, written straight, with nothing of the SDK. It answers 202 only once the item
 * is durably written, like the reference server, and does each step once, in the cheapest way node
 * offers:
 *
 * - records (`POST …/records`): the bearer key's SHA-256 compared in constant time with the one
 *   stored, `JSON.parse`, a zod schema of the record, an id;
 * - webhooks (`POST /v1/hooks/…`): the Discourse signature (`createHmac`, `timingSafeEqual`),
 *   `JSON.parse`, a zod schema of the post, the delivery id looked up and kept in a `Map` (a
 *   redelivery is answered 200 from it), an id;
 * - both: one JSON line per item appended to a file; the lines of an event-loop turn go in one
 *   `write` and one `fdatasync` (one at a time, the next batch gathering meanwhile), and only then
 *   are their requests answered.
 *
 * What it leaves out, which the reference server does: metrics, request ids, access logs, spans,
 * rate limits, looking up the workspace and source, JSON depth limits, a queue message a worker can
 * lease, retry and acknowledge, delivery records that outlive a restart, claims that hold back a
 * concurrent copy. A server adding those, built from the same parts (node:http, node:crypto, zod, a
 * file), will not be cheaper than this one; how far the reference server is from it is what the
 * additions cost. Listens on the port given (0: any) on loopback and
 * prints `listening on <port>`. `FLOOR_API_KEY` and `FLOOR_WEBHOOK_SECRET` are the key and secret the
 * load is signed with.
 *
 *   FLOOR_API_KEY=… FLOOR_WEBHOOK_SECRET=… node --import tsx bench/ingest-floor.ts [port]
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { closeSync, fdatasync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const apiKey = process.env.FLOOR_API_KEY;
const secret = process.env.FLOOR_WEBHOOK_SECRET;
if (!apiKey || !secret) throw new Error('FLOOR_API_KEY and FLOOR_WEBHOOK_SECRET are required');
const keyHash = createHash('sha256').update(apiKey).digest();

const RecordBody = z.object({
  externalId: z.string().min(1).max(512),
  itemType: z.string().min(1).max(64),
  occurredAt: z.iso.datetime({ offset: true }),
  content: z.object({ text: z.string().max(100_000) }),
  author: z.object({ username: z.string().max(256) }).optional(),
});
const DiscoursePost = z.object({
  post: z.looseObject({
    id: z.number().int(),
    username: z.string(),
    created_at: z.string(),
    raw: z.string().optional(),
    cooked: z.string().optional(),
    topic_id: z.number().int(),
    post_number: z.number().int(),
  }),
});

// --- the journal: one write + fdatasync per batch, one batch at a time -----------------------------
const directory = mkdtempSync(join(tmpdir(), 'tributary-bench-floor-'));
const fd = openSync(join(directory, 'journal.ndjson'), 'a');
let lines: string[] = [];
let waiting: { res: ServerResponse; answer: string }[] = [];
let flushScheduled = false;
let syncing = false;

const flush = () => {
  flushScheduled = false;
  if (syncing || waiting.length === 0) return;
  const batch = waiting;
  const data = lines.join('');
  waiting = [];
  lines = [];
  writeSync(fd, data);
  syncing = true;
  fdatasync(fd, (error) => {
    syncing = false;
    for (const { res, answer } of batch) {
      if (error) res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"unavailable"}}');
      else res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
    }
    // What gathered during this fdatasync goes next.
    if (waiting.length > 0) flush();
  });
};

/** Queues an item's line; its request is answered once the line is durable. */
const accept = (res: ServerResponse, line: string, answer: string) => {
  lines.push(line);
  waiting.push({ res, answer });
  if (!flushScheduled && !syncing) {
    flushScheduled = true;
    setImmediate(flush);
  }
};

const fail = (res: ServerResponse, status: number, code: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(`{"error":{"code":"${code}"}}`);

// --- the routes -------------------------------------------------------------------------------------
const deliveries = new Map<string, string>();

function records(res: ServerResponse, authorization: string | undefined, raw: Buffer) {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : '';
  if (!timingSafeEqual(createHash('sha256').update(token).digest(), keyHash)) return fail(res, 401, 'unauthorized');
  const parsed = RecordBody.safeParse(JSON.parse(raw.toString('utf8')));
  if (!parsed.success) return fail(res, 400, 'validation');
  const id = randomUUID();
  accept(res, `${JSON.stringify({ id, receivedAt: Date.now(), item: parsed.data })}\n`, `{"accepted":1,"ids":["${id}"]}`);
}

function webhook(res: ServerResponse, signature: string | undefined, deliveryId: string | undefined, raw: Buffer) {
  const expected = createHmac('sha256', secret!).update(raw).digest();
  const given = signature?.startsWith('sha256=') ? Buffer.from(signature.slice(7), 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail(res, 401, 'unauthorized');
  const parsed = DiscoursePost.safeParse(JSON.parse(raw.toString('utf8')));
  if (!parsed.success) return fail(res, 400, 'validation');
  if (deliveryId) {
    const previous = deliveries.get(deliveryId);
    if (previous) return res.writeHead(200, { 'content-type': 'application/json' }).end(`{"accepted":1,"ids":["${previous}"],"duplicate":true}`);
  }
  const id = randomUUID();
  if (deliveryId) deliveries.set(deliveryId, id);
  accept(res, `${JSON.stringify({ id, deliveryId, receivedAt: Date.now(), item: parsed.data.post })}\n`, `{"accepted":1,"ids":["${id}"]}`);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    try {
      if (req.url?.startsWith('/v1/hooks/')) webhook(res, req.headers['x-discourse-event-signature'] as string | undefined, req.headers['x-discourse-event-id'] as string | undefined, raw);
      else records(res, req.headers.authorization, raw);
    } catch {
      fail(res, 400, 'validation');
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening on ${(server.address() as { port: number }).port}`);
});
process.on('SIGTERM', () =>
  server.close(() => {
    closeSync(fd);
    rmSync(directory, { recursive: true, force: true });
    process.exit(0);
  }),
);
