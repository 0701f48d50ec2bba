/**
 * @module app
 * The host: an ordinary Fastify service with routes of its own. Embedding Tributary is one
 * `register` call (see `feedback.ts`); nothing else in the service changes.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { feedback, type FeedbackOptions } from './feedback.js';

export interface AppOptions {
  feedback: FeedbackOptions;
  /** Fastify's logger. @default false */
  logger?: boolean;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false });
  // The service's own routes, standing in for whatever it already does.
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/api/greeting', async () => ({ message: 'hello from the host service' }));

  await app.register(feedback, { prefix: '/feedback', ...options.feedback });
  return app;
}
