import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources through the `@tributary/source` export condition, so no
// build is needed to test; the packaging test checks the built output separately.
const conditions = ['@tributary/source', 'import', 'module', 'node', 'default'];
// Node itself gets only these: with `import` among them, CommonJS packages such as pg would
// `require()` the ESM builds of their own dependencies and break.
const nodeConditions = ['@tributary/source', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions: nodeConditions, externalConditions: ['@tributary/source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/*.reliability.test.ts', '**/node_modules/**', '**/dist/**'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.integration.test.ts', 'examples/*/test/**/*.integration.test.ts', 'test/**/*.integration.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Service-backed suites share real servers; run their files one at a time.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // `pnpm test:reliability`: crash, engine restart, target fault and hostile input suites on the
          // real services (docs/reliability.md). `pnpm test` runs them last, in a vitest run of their own.
          name: 'reliability',
          include: ['test/reliability/**/*.reliability.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 180_000,
          // They restart shared services and load the whole machine: one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
