#!/usr/bin/env node
// The `tributary` command. It runs the TypeScript sources as they are (no build step), like
// `pnpm start`: tsx compiles them, and the `@tributary/source` export condition resolves the
// workspace packages to their sources.
import { register } from 'node:module';

register(new URL('./source-condition.mjs', import.meta.url));
const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
