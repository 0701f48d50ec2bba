import { createPipeline, type Pipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import type { ServerConfig } from './config.js';

/** Builds the pipeline on the configured engines. */
export async function createEngines(_config: ServerConfig): Promise<Pipeline> {
  return createPipeline({ storage: createMemoryStorage(), queue: createMemoryQueue() });
}
