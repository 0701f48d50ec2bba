/** Values a template may use: `{{checkpoint}}`, `{{since}}` and the pagination variables. */
export const TEMPLATE_NAMES = ['checkpoint', 'since', 'page', 'pageSize', 'cursor', 'offset', 'limit'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];
export type TemplateValues = Partial<Record<TemplateName, string | number>>;

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** Names of the placeholders in a text, in order of appearance. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Replaces placeholders; a value that is absent becomes the empty string. */
export function render(text: string, values: TemplateValues, encode: (value: string) => string = (v) => v): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name as TemplateName];
    return value === undefined ? '' : encode(String(value));
  });
}

/**
 * Renders a URL template. Values are percent-encoded; a query parameter whose value is made of
 * placeholders that all rendered empty is left out, so `?updated_since={{since}}` asks for everything
 * on a first run instead of sending an empty filter the API may refuse.
 */
export function renderUrl(template: string, values: TemplateValues): string {
  const hashAt = template.indexOf('#');
  const withoutHash = hashAt >= 0 ? template.slice(0, hashAt) : template;
  const queryAt = withoutHash.indexOf('?');
  if (queryAt < 0) return render(withoutHash, values, encodeURIComponent);
  const base = render(withoutHash.slice(0, queryAt), values, encodeURIComponent);
  const params = withoutHash
    .slice(queryAt + 1)
    .split('&')
    .filter(Boolean)
    .flatMap((param) => {
      const eq = param.indexOf('=');
      const value = eq < 0 ? '' : param.slice(eq + 1);
      const rendered = render(value, values, encodeURIComponent);
      if (rendered === '' && placeholders(value).length > 0) return [];
      return [`${render(eq < 0 ? param : param.slice(0, eq), values, encodeURIComponent)}${eq < 0 ? '' : `=${rendered}`}`];
    });
  return params.length ? `${base}?${params.join('&')}` : base;
}

/**
 * Renders the strings of a JSON body. A string that is exactly one placeholder takes the value with
 * its type (`"{{page}}"` → `2`), so numeric API parameters stay numbers.
 */
export function renderJson(value: unknown, values: TemplateValues): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([A-Za-z]+)\s*\}\}$/.exec(value);
    if (whole) return values[whole[1] as TemplateName] ?? null;
    return render(value, values);
  }
  if (Array.isArray(value)) return value.map((v) => renderJson(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJson(v, values)]));
  return value;
}
