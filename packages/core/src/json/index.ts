/**
 * @module json
 * Helpers for untrusted JSON: {@link findJsonDepthExcess} measures nesting without recursion, so an
 * API can refuse a body nested thousands of levels deep with a 400 naming where, before any
 * recursive code (serializers, validators, hashing) overflows the stack on it.
 */
export { DEFAULT_MAX_JSON_DEPTH, MAX_ITEM_JSON_DEPTH, findJsonDepthExcess, jsonDepthMessage, type JsonDepthExcess } from './depth.js';
