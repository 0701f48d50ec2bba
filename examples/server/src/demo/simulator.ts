/**
 * @module demo/simulator
 * The demo's outside world on one loopback port: the simulated Discourse forum (see `forum.ts`) and
 * the make-believe CRM (see `crm.ts`). Members write new posts while it runs; listeners hear of
 * each one (the forum's webhook sender is one).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCrm, type Crm, type CrmOptions } from './crm.js';
import { createForum, type Forum, type ForumOptions, type ForumPost, type SimAnswer } from './forum.js';

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  forum?: ForumOptions;
  crm: CrmOptions;
  /** A new forum post every this many ms (with ±50% jitter); false: none. @default 12000 */
  postEveryMs?: number | false;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
}

export interface Simulator {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** `127.0.0.1:<port>`, for allow-lists of hosts. */
  host: string;
  forum: Forum;
  crm: Crm;
  /** Calls `listener` for every post written from now on. */
  onPost(listener: (post: ForumPost) => void): () => void;
  /** Writes a post now (as the timer does). */
  writePost(input?: Parameters<Forum['addPost']>[0]): ForumPost;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const forum = createForum(options.forum);
  const crm = createCrm(options.crm);
  const listeners = new Set<(post: ForumPost) => void>();

  const server: Server = createServer((req, res) => {
    const answer = (a: SimAnswer) => {
      res.writeHead(a.status, { 'content-type': 'application/json; charset=utf-8', ...a.headers });
      res.end(JSON.stringify(a.body));
    };
    const url = req.url ?? '/';
    if (url.startsWith('/crm/')) {
      readBody(req).then(
        (body) => answer(crm.handle({ method: req.method ?? 'GET', url, headers: req.headers, body })),
        () => answer({ status: 413, body: { error: 'body too large' } }),
      );
      return;
    }
    answer(forum.handle({ method: req.method ?? 'GET', url, headers: req.headers }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = `${address}:${port}`;

  const writePost: Simulator['writePost'] = (input) => {
    const post = forum.addPost(input);
    for (const listener of listeners) listener(post);
    return post;
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const every = options.postEveryMs === undefined ? 12_000 : options.postEveryMs;
  const schedule = () => {
    if (every === false) return;
    timer = setTimeout(() => {
      writePost();
      schedule();
    }, every * (0.5 + Math.random()));
    timer.unref();
  };
  schedule();

  return {
    url: `http://${host}`,
    host,
    forum,
    crm,
    onPost(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    writePost,
    async close() {
      if (timer) clearTimeout(timer);
      listeners.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
