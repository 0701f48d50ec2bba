// Configuration of the declarative HTTP connector: every mistake is refused with the field named.
import { describe, expect, it } from 'vitest';
import { HttpConfigSchema, renderUrl, type HttpConfigInput } from '@tributary/connectors/http';

const API = 'https://api.example.test/v1/items';

function issues(input: unknown): { path: string; message: string }[] {
  const result = HttpConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('http connector config', () => {
  it('applies defaults to a minimal config', () => {
    expect(HttpConfigSchema.parse({ url: API })).toMatchObject({
      method: 'GET',
      auth: { type: 'none' },
      pagination: { style: 'none' },
      itemsPath: '',
      idPath: 'id',
      itemType: 'http.item',
      mapping: {},
      maxPages: 100,
      sinceFormat: 'iso',
      lookbackSeconds: 0,
    });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['an unknown placeholder', { url: `${API}?after={{cursr}}` }, 'url', /unknown placeholder \{\{cursr\}\}/],
    ['a placeholder of another pagination style', { url: `${API}?c={{cursor}}`, pagination: { style: 'page' } }, 'url', /does not apply to pagination style "page"/],
    ['a relative URL', { url: '/v1/items' }, 'url', /absolute http\(s\) URL/],
    ['another protocol', { url: 'ftp://example.test/items' }, 'url', /http or https/],
    ['a password in the URL', { url: 'https://me:pw@api.example.test/' }, 'url', /credentials/],
    ['a body on GET', { url: API, body: { q: 1 } }, 'body', /only applies to method "POST"/],
    ['a cursor style without a cursor', { url: API, pagination: { style: 'cursor' } }, 'pagination.cursorPath', /exactly one of cursorPath/],
    ['a page size parameter without a size', { url: API, pagination: { style: 'page', pageSizeParam: 'per_page' } }, 'pagination.pageSize', /required/],
    ['an unknown pagination style', { url: API, pagination: { style: 'pages' } }, 'pagination.style', /./],
    ['a typo in the mapping', { url: API, mapping: { txt: 'body' } }, 'mapping', /txt/],
    ['an empty path segment', { url: API, mapping: { text: 'data..body' } }, 'mapping.text', /dot path/],
    ['a bad item type', { url: API, itemType: 'Acme Review' }, 'itemType', /lower case/],
    ['a since that is no time', { url: API, since: 'yesterday' }, 'since', /must be a time/],
    ['an invalid header name', { url: API, headers: { 'Bad Header': 'x' } }, 'headers.Bad Header', /header name/],
    ['an unknown key', { url: API, itemPath: 'data' }, '', /itemPath/],
  ])('refuses %s, naming the field', (_what, input, path, message) => {
    const found = issues(input);
    expect(found.length, JSON.stringify(found)).toBeGreaterThan(0);
    const issue = found.find((i) => i.path === path) ?? found[0]!;
    expect(issue.path).toBe(path);
    expect(`${issue.message} ${JSON.stringify(found)}`).toMatch(message);
  });

  it('accepts each pagination style with its parameters', () => {
    const styles: HttpConfigInput['pagination'][] = [
      { style: 'none' },
      { style: 'page', param: 'p', startPage: 0, pageSize: 50, pageSizeParam: 'per_page' },
      { style: 'cursor', cursorPath: 'meta.next', param: 'after' },
      { style: 'cursor', nextUrlPath: 'links.next' },
      { style: 'link', rel: 'next' },
      { style: 'offset', offsetParam: 'start', limitParam: 'rows', limit: 25, totalPath: 'meta.total' },
    ];
    for (const pagination of styles) expect(issues({ url: API, pagination }), JSON.stringify(pagination)).toEqual([]);
  });
});

describe('renderUrl', () => {
  it('encodes values and leaves out parameters whose placeholders are empty', () => {
    expect(renderUrl(`${API}?q=a b&since={{since}}&after={{checkpoint}}`, { since: '2024-01-01T00:00:00+02:00', checkpoint: '' })).toBe(
      `${API}?q=a b&since=2024-01-01T00%3A00%3A00%2B02%3A00`,
    );
    expect(renderUrl(`${API}/{{page}}?x=1`, { page: 3 })).toBe(`${API}/3?x=1`);
  });
});
