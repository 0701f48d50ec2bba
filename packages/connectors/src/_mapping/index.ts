// Private: the field mapping shared by the http, webhook and file connectors (dot paths → record draft).
export { applyMapping, type ApplyMappingOptions } from './apply.js';
export { decodeEntities, htmlToText } from './html-text.js';
export { DotPathSchema, isObject, isPresent, readPath, splitPath } from './path.js';
export { describeSource, readSource, type Found } from './read.js';
export { FieldMappingSchema, FieldSourceSchema, type FieldMapping, type FieldMappingInput, type FieldSource } from './schema.js';
export { toIsoTime } from './time.js';
export { contentId, itemId } from './item-id.js';
export { USUAL_ID_PATHS, USUAL_SHAPES } from './usual-shapes.js';
