/**
 * @module @tributary/core/destinations
 * Downstream destinations of workspaces: a target, its config, a rate limit and a filter, stored in
 * the `destinations` documents the report and deliver stages read. Secret config fields (those the
 * target's schema marks `secret`/`writeOnly`) are encrypted with associated data binding them to
 * their workspace, destination and field, so a ciphertext copied elsewhere does not decrypt; views
 * leave them out. The pipeline builds one registry (`pipeline.destinations`).
 */
export {
  createDestinationRegistry,
  toDestinationView,
  DESTINATIONS,
  type CreateDestinationInput,
  type DestinationFilter,
  type DestinationRateLimit,
  type DestinationRegistry,
  type DestinationRegistryOptions,
  type DestinationView,
  type ResolvedDestination,
  type StoredDestination,
  type UpdateDestinationInput,
} from './registry.js';
export { secretFieldsOf } from './secret-fields.js';
export { isSealedValue, openConfig, redactConfig, sealConfig, needsResealing, sealedAad, SEALED, LEGACY_ENCRYPTED, type DestinationKey, type OpenOptions } from './sealed-config.js';
