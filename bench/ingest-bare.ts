/**
 * The baseline of `bench/ingest.ts`: a bare node:http server that reads the body, parses the same
 * JSON and answers 202 — what ingestion costs with no validation, authentication or queue. Listens on
 * the port given (0: any) on loopback and prints `listening on <port>`. `BARE_PROCESSES=N` runs N
 * copies on one port (node:cluster), the baseline of a server run with `--processes N`: the primary
 * only forks, and the copies print the port they share.
 *
 *   node --import tsx bench/ingest-bare.ts [port]
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';

function serveBare() {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let accepted = 0;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { records?: unknown[] };
        accepted = Array.isArray(body.records) ? body.records.length : 1;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"code":"validation"}}');
        return;
      }
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted }));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
    console.log(`listening on ${(server.address() as { port: number }).port}`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

const copies = Number(process.env.BARE_PROCESSES ?? 1);
if (copies > 1 && cluster.isPrimary) {
  for (let i = 0; i < copies; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 1000).unref();
  });
} else serveBare();
