// Lua scripts of the Redis dedup store: each step reads and writes one key atomically on the server.

/**
 * Claims a delivery unless its key holds something: then returns what it holds (a record, or another
 * request's claim), and claims nothing.
 * KEYS: the delivery's key. ARGV: the claim (JSON), its lease in ms. Returns nil when claimed.
 */
export const CLAIM_OR_GET = `
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return nil
`;

/**
 * Gives a claim back, only if the key still holds that very claim: a holder whose lease lapsed must
 * not delete the claim another request took over, nor the record that replaced it.
 * KEYS: the delivery's key. ARGV: the claim (JSON). Returns 1 when released.
 */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;
