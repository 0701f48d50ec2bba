/**
 * @module main
 * Starts the host service: `FORUM_URL` (default https://meta.discourse.org), `FORUM_SEARCH` (default
 * `editor`), `FORUM_AFTER` (a `YYYY-MM-DD` day, default 30 days ago), `PORT` (default 3000).
 */
import { buildApp } from './app.js';

const after = process.env.FORUM_AFTER ?? new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
const app = await buildApp({
  logger: true,
  feedback: {
    workspaceId: 'default',
    forum: { baseUrl: process.env.FORUM_URL ?? 'https://meta.discourse.org', searchTerm: process.env.FORUM_SEARCH ?? 'editor', after, maxPages: 5 },
  },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
