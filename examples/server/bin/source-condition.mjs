// Module resolution hook: adds the `@tributary/source` export condition, as
// `node --conditions=@tributary/source` would, so the workspace packages resolve to their sources.
const CONDITION = '@tributary/source';

export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes(CONDITION) ? context.conditions : [CONDITION, ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}
