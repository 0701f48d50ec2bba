/** One link of a `Link` header. */
export interface LinkValue {
  /** The target, resolved against the base URL when one was given. */
  url: string;
  /** The relation this entry was filed under (lower case). */
  rel: string;
  /** Every parameter of the link (names lower case), e.g. `{ rel: 'next', per_page: '100' }`. */
  params: Record<string, string>;
}

/**
 * Parses an RFC 8288 `Link` header, e.g. GitHub's
 * `<https://api.github.com/…&page=2>; rel="next", <…&page=5>; rel="last"`, into links by relation.
 * A link with several relations (`rel="next last"`) is filed under each; the first link of a relation
 * wins. Commas and semicolons inside `<…>` and quoted strings are kept. Malformed entries are skipped.
 *
 * @param base resolves relative targets (the request URL)
 * @example
 * ```ts
 * const next = parseLinkHeader(response.headers.get('link'), response.url).next?.url;
 * ```
 */
export function parseLinkHeader(header: string | null | undefined, base?: string | URL): Record<string, LinkValue> {
  const links: Record<string, LinkValue> = {};
  if (!header) return links;
  let i = 0;
  const n = header.length;
  const skip = (chars: string) => {
    while (i < n && chars.includes(header[i]!)) i++;
  };
  while (i < n) {
    skip(' \t,');
    if (i >= n) break;
    if (header[i] !== '<') {
      // Not a link: resynchronise at the next top-level comma.
      skipToComma();
      continue;
    }
    const close = header.indexOf('>', i + 1);
    if (close < 0) break;
    const target = header.slice(i + 1, close).trim();
    i = close + 1;
    const params: Record<string, string> = {};
    for (;;) {
      skip(' \t');
      if (header[i] !== ';') break;
      i++;
      skip(' \t');
      const nameStart = i;
      while (i < n && !'=;, \t'.includes(header[i]!)) i++;
      const name = header.slice(nameStart, i).toLowerCase();
      skip(' \t');
      let value = '';
      if (header[i] === '=') {
        i++;
        skip(' \t');
        if (header[i] === '"') {
          i++;
          while (i < n && header[i] !== '"') {
            if (header[i] === '\\' && i + 1 < n) i++;
            value += header[i];
            i++;
          }
          i++;
        } else {
          const start = i;
          while (i < n && !';,'.includes(header[i]!)) i++;
          value = header.slice(start, i).trim();
        }
      }
      // RFC 8288 §3: a parameter repeated in one link is ignored after its first occurrence.
      if (name && !(name in params)) params[name] = value;
    }
    skipToComma();
    const url = resolve(target, base);
    if (url === undefined) continue;
    for (const rel of (params.rel ?? '').toLowerCase().split(/\s+/).filter(Boolean)) {
      links[rel] ??= { url, rel, params };
    }
  }
  return links;

  function skipToComma() {
    let quoted = false;
    while (i < n) {
      const c = header![i]!;
      if (c === '"') quoted = !quoted;
      else if (c === ',' && !quoted) break;
      i++;
    }
  }
}

function resolve(target: string, base: string | URL | undefined): string | undefined {
  try {
    return base ? new URL(target, base).toString() : new URL(target).toString();
  } catch {
    // No base to resolve against: keep a relative target as given.
    return base ? undefined : target;
  }
}
