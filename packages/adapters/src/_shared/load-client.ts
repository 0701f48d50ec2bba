import { missingDependency } from '@tributary/core/errors';

/**
 * Loads an engine's client package on first use, so only its adapter's subpath needs it installed.
 * `importer` is a literal `import('pkg')` (bundlers see it); `probe` names an export that tells the
 * module namespace from a CommonJS `default` wrapper. A missing package is a `missing_dependency` error
 * naming it.
 */
export async function loadClient<M extends object>(component: string, pkg: string, importer: () => Promise<unknown>, probe: keyof M): Promise<M> {
  try {
    const mod = (await importer()) as M & { default?: M };
    return typeof mod[probe] === 'function' ? mod : (mod.default ?? mod);
  } catch (error) {
    throw missingDependency(component, pkg, error);
  }
}
