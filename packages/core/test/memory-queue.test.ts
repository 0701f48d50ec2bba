import { createMemoryQueue } from '@tributary/core/queue/memory';
import { testQueueAdapter } from '@tributary/core/testing';

testQueueAdapter('memory', () => createMemoryQueue());
