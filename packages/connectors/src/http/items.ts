import type { RawItem } from '@tributary/core/connector';
import { isObject, itemId, readPath } from '../_mapping/index.js';
import { safeUrl, shapeError } from './errors.js';
import type { HttpConfig } from './schemas.js';

/**
 * The items array of a response at `itemsPath`.
 * @throws TributaryError `config` naming `itemsPath` and the arrays the response does have
 */
export function itemsAt(body: unknown, config: Pick<HttpConfig, 'itemsPath'>, url: string): unknown[] {
  const items = readPath(body, config.itemsPath);
  if (Array.isArray(items)) return items;
  const hint = arrayPaths(body).slice(0, 5);
  throw shapeError(
    `itemsPath: the response of ${safeUrl(url)} has no array at ${JSON.stringify(config.itemsPath)}${hint.length ? `; arrays found at ${hint.map((p) => JSON.stringify(p)).join(', ')}` : ''}`,
    'itemsPath',
  );
}

/**
 * One item as a raw item, its id read at `idPath`.
 * @throws TributaryError `config` naming `idPath` when an item has no id there: wrong ids would
 *   merge or split records, so the run stops rather than guess.
 */
export function rawItem(item: unknown, config: Pick<HttpConfig, 'idPath' | 'itemType'>, where: string): RawItem {
  const id = itemId(item, config.idPath);
  if (id === undefined) throw shapeError(`idPath: ${where} has no string or number id at ${JSON.stringify(config.idPath)}`, 'idPath');
  return { externalId: id, itemType: config.itemType, payload: item };
}

/** Paths of the arrays in the first two levels of a body, as hints for a wrong `itemsPath`. */
function arrayPaths(body: unknown): string[] {
  if (Array.isArray(body)) return [''];
  if (!isObject(body)) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (Array.isArray(value)) found.push(key);
    else if (isObject(value)) for (const [inner, v] of Object.entries(value)) if (Array.isArray(v)) found.push(`${key}.${inner}`);
  }
  return found;
}
