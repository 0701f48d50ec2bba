import { defineConfig } from 'tsup';
import { tsupPreset } from '../../scripts/tsup-preset.mjs';

// p-limit and p-retry are ESM-only; inlining them keeps the CommonJS build loadable everywhere.
export default defineConfig(tsupPreset(process.cwd(), { bundle: [/^p-limit/, /^p-retry/, /^yocto-queue/, /^is-network-error/] }));
