import { isAbsolute, relative, resolve } from 'node:path';
import { createError } from '@tributary/core/errors';
import { COMPONENT } from './errors.js';

/**
 * A path resolver confined to `root`: configured paths resolve against it and may not leave it, so a
 * host that lets users create file sources decides which files they can read.
 */
export function confinedTo(root: string): (path: string) => string {
  const base = resolve(root);
  return (path) => {
    const full = resolve(base, path);
    const rel = relative(base, full);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw createError(COMPONENT, 'config', `path ${JSON.stringify(path)} is outside the allowed directory`, { issues: [{ path: 'path', message: 'outside the allowed directory' }] });
    }
    return full;
  };
}
