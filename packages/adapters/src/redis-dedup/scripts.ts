// Lua scripts of the Redis dedup store. Each takes the keys of many deliveries at once (the calls
// made in one turn of the event loop): under load one command carries a burst of deliveries, where a
// command each cost the client more than the work. Every key is still read and written atomically.

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
 * One turn's records, then its claims, in one call. Each record is written over whatever its key
 * holds (its claim, normally); each claim is taken unless its key holds something, and then what it
 * holds (a record, or another request's claim) is returned instead. Records go first, so a copy of a
 * delivery claiming in the same call finds the record. Either part may be empty.
 * KEYS: the records' keys, then the claims' keys. ARGV: the number of records, then for each key in
 * turn its value (JSON) and its TTL in ms. Returns one entry per claim: nil when claimed, else what
 * the key held.
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
