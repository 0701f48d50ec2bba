import type { ParseContext, RawItem } from '@tributary/core/connector';
import type { RecordDraft } from '@tributary/core/record';
import { applyMapping, USUAL_SHAPES } from '../_mapping/index.js';
import { COMPONENT } from './errors.js';
import type { HttpConfig } from './schemas.js';

/**
 * Turns one pulled item into a record draft through the configured mapping; fields it leaves out
 * are looked up under their usual names.
 * @throws TributaryError `validation` naming each field that could not be read
 */
export function parseHttpItem(item: RawItem, context: Pick<ParseContext<Pick<HttpConfig, 'mapping'>>, 'config'>): RecordDraft[] {
  return [
    applyMapping(item.payload, context.config.mapping, {
      externalId: item.externalId,
      itemType: item.itemType,
      component: COMPONENT,
      what: `item ${item.externalId}`,
      defaults: USUAL_SHAPES,
    }),
  ];
}
