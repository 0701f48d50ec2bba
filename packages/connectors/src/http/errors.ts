import { createError } from '@tributary/core/errors';

/** The component every error of this connector names: `[tributary] [http-connector] …`. */
export const COMPONENT = 'http-connector';

/** A `config` error: the response does not have the shape the configuration describes. */
export function shapeError(message: string, field: string): Error {
  return createError(COMPONENT, 'config', message, { issues: [{ path: field, message }] });
}

/** Host and path of a URL, for messages: query strings may carry keys. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.split('?')[0] ?? url;
  }
}
