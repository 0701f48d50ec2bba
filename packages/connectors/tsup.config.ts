import { defineConfig } from 'tsup';
import { tsupPreset } from '../../scripts/tsup-preset.mjs';

export default defineConfig(tsupPreset(process.cwd()));
