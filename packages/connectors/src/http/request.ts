import type { HttpConfig } from './schemas.js';
import { placeholders, renderJson, renderUrl, type TemplateName, type TemplateValues } from './template.js';

/** The query parameter each pagination variable goes to, unless the URL template places it itself. */
function paginationParams(config: HttpConfig): Partial<Record<TemplateName, string>> {
  const p = config.pagination;
  switch (p.style) {
    case 'page':
      return { page: p.param, ...(p.pageSizeParam ? { pageSize: p.pageSizeParam } : {}) };
    case 'offset':
      return { offset: p.offsetParam, limit: p.limitParam };
    case 'cursor':
      return p.cursorPath ? { cursor: p.param } : {};
    default:
      return {};
  }
}

/** A built request: the URL (without credentials) and its fetch options. */
export interface BuiltRequest {
  url: string;
  init: RequestInit;
}

/**
 * Builds one request: the URL template rendered with the run's values and the page's variables, the
 * variables the template does not place added as query parameters, headers, and the POST body.
 * Credentials are added later, by the authenticated fetch.
 */
export function buildRequest(config: HttpConfig, values: TemplateValues): BuiltRequest {
  const url = new URL(renderUrl(config.url, values));
  const placed = new Set([...placeholders(config.url), ...(config.body === undefined ? [] : placeholders(JSON.stringify(config.body)))]);
  for (const [name, param] of Object.entries(paginationParams(config)) as [TemplateName, string][]) {
    const value = values[name];
    if (value !== undefined && value !== '' && !placed.has(name)) url.searchParams.set(param, String(value));
  }
  const headers: Record<string, string> = { Accept: 'application/json', ...config.headers };
  const init: RequestInit = { method: config.method, headers };
  if (config.method === 'POST' && config.body !== undefined) {
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(renderJson(config.body, values));
  }
  return { url: url.toString(), init };
}
