/**
 * @module @tributary/core/net
 * Outbound requests that cannot be turned against the host's own network (SSRF): connector and
 * destination URLs that resolve to loopback, private, link-local or cloud metadata addresses are
 * refused — by literal IP, by DNS name, or through redirects — unless explicitly allowed.
 */
export { blockedAddressReason, METADATA_HOSTS } from './addresses.js';
export { createGuardedFetch, type GuardedFetchOptions } from './guarded-fetch.js';
