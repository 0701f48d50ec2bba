// Lua scripts of the Redis dedup store. Each takes the keys of many deliveries at once (the calls
// made in one turn of the event loop): under load one command carries a burst of deliveries, where a
// command each cost the client more than the work. Every key is still read and written atomically.

/**
 * Claims each delivery unless its key holds something: then returns what it holds (a record, or
 * another request's claim) for that key, and claims nothing there.
 * KEYS: the deliveries' keys. ARGV: for each key in turn, its claim (JSON) and its lease in ms.
 * Returns one entry per key: nil when claimed, else what the key held.
 */
export const CLAIM_OR_GET_MANY = `
local out = {}
for i, key in ipairs(KEYS) do
  local held = redis.call('GET', key)
  if held then
    out[i] = held
  else
    redis.call('SET', key, ARGV[2 * i - 1], 'PX', tonumber(ARGV[2 * i]))
    out[i] = false
  end
end
return out
`;

/**
 * Writes each delivery's record over whatever its key holds (its claim, normally).
 * KEYS: the deliveries' keys. ARGV: for each key in turn, its record (JSON) and its TTL in ms.
 */
export const REMEMBER_MANY = `
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[2 * i - 1], 'PX', tonumber(ARGV[2 * i]))
end
return #KEYS
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

/**
 * {@link REMEMBER_MANY} then {@link CLAIM_OR_GET_MANY} in one call: the records of one turn and its
 * claims. KEYS: the records' keys, then the claims' keys. ARGV: the number of records, then for each
 * key in turn its value (JSON) and its TTL in ms. Returns one entry per claim, as CLAIM_OR_GET_MANY.
 */
export const REMEMBER_THEN_CLAIM = `
local records = tonumber(ARGV[1])
for i = 1, records do
  redis.call('SET', KEYS[i], ARGV[2 * i], 'PX', tonumber(ARGV[2 * i + 1]))
end
local out = {}
for i = records + 1, #KEYS do
  local held = redis.call('GET', KEYS[i])
  if held then
    out[i - records] = held
  else
    redis.call('SET', KEYS[i], ARGV[2 * i], 'PX', tonumber(ARGV[2 * i + 1]))
    out[i - records] = false
  end
end
return out
`;
