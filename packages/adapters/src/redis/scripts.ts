// Lua scripts of the Redis queue. Each runs atomically on the server, so a crash between two steps
// (acknowledge, then schedule the retry) can never lose a message. All keys of one topic share a hash
// tag, so the scripts also run on Redis Cluster. Times come from the server clock (`TIME`), never from
// the clients, so consumers on machines with skewed clocks agree on when a delay is due.

const NOW = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

const STREAM_IDS = `
local function parse_id(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function id_less(a, b)
  local am, as = parse_id(a)
  local bm, bs = parse_id(b)
  return am < bm or (am == bm and as < bs)
end
local function id_next(id)
  local ms, seq = parse_id(id)
  return string.format('%d-%d', ms, seq + 1)
end
`;

/**
 * Publishes one message: drops it when its dedup key already exists, else adds it to the stream, or to
 * the delayed set when it has a delay.
 * KEYS: stream, delayed zset, [dedup key]. ARGV: dedup ttl ms, delay ms, member nonce, fields…
 * Returns 1 when published, 0 when it was a duplicate.
 */
export const PUBLISH = `${NOW}
if #KEYS >= 3 then
  if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', tonumber(ARGV[1])) then return 0 end
end
local delay = tonumber(ARGV[2])
if delay > 0 then
  local fields = {}
  for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
  redis.call('ZADD', KEYS[2], now_ms() + delay, ARGV[3] .. '|' .. cjson.encode(fields))
else
  redis.call('XADD', KEYS[1], '*', unpack(ARGV, 4))
end
return 1
`;

/**
 * Publishes several plain messages (no dedup id, no delay) in one command: under ingest load a batch
 * of 50 messages as 50 pipelined XADDs cost the client more than the messages (a command object,
 * its arguments and its reply each); as one script call, one of each.
 * KEYS: stream. ARGV: for each message, its field count n, then its n field arguments.
 * Returns the number of messages added.
 */
export const PUBLISH_MANY = `
local i = 1
local added = 0
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  redis.call('XADD', KEYS[1], '*', unpack(ARGV, i + 1, i + n))
  added = added + 1
  i = i + n + 1
end
return added
`;

/**
 * Moves the delayed messages that are due into the stream (every group then sees them).
 * KEYS: delayed zset, stream. ARGV: limit. Returns { moved, ms until the next one is due or -1 }.
 */
export const PROMOTE_DELAYED = `${NOW}
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, m in ipairs(due) do
  local sep = string.find(m, '|', 1, true)
  redis.call('XADD', KEYS[2], '*', unpack(cjson.decode(string.sub(m, sep + 1))))
  redis.call('ZREM', KEYS[1], m)
end
local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = -1
if nxt[2] then wait = math.max(0, tonumber(nxt[2]) - now) end
return { #due, wait }
`;

/**
 * Schedules a retry. The entry stays pending in the group (so trimming keeps it and its delivery count
 * keeps counting attempts); its id goes into the group's retry set until it is due. Ignored when the
 * caller no longer holds the delivery (it was reclaimed after the visibility timeout).
 * KEYS: stream, retry zset. ARGV: group, consumer, entry id, delivery count, delay ms. Returns 1 or 0.
 */
export const SCHEDULE_RETRY = `${NOW}
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 or p[1][2] ~= ARGV[2] or tostring(p[1][4]) ~= ARGV[4] then return 0 end
redis.call('ZADD', KEYS[2], now_ms() + tonumber(ARGV[5]), ARGV[3])
return 1
`;

/**
 * Takes the retries that are due (up to a limit) for this consumer: claims each entry, which counts a
 * delivery. KEYS: stream, retry zset. ARGV: group, consumer, limit.
 * Returns { entries: { id, fields, delivery count }…, ms until the next retry is due or -1 }.
 */
export const TAKE_RETRIES = `${NOW}
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[2], id)
  local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id)
  local e = claimed[1]
  if e and e[2] then
    local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
    out[#out + 1] = { e[1], e[2], p[1] and p[1][4] or 1 }
  end
end
local nxt = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local wait = -1
if nxt[2] then wait = math.max(0, tonumber(nxt[2]) - now) end
return { out, wait }
`;

/**
 * Renews the lease of a delivery whose handler is still running: XCLAIM to the same consumer with JUSTID
 * resets the entry's idle time without counting a delivery, so XAUTOCLAIM leaves it alone. Only while the
 * caller still holds that delivery: a renewal must never take back an entry another consumer reclaimed.
 * KEYS: stream. ARGV: group, consumer, entry id, delivery count. Returns 1 when renewed, 0 when lost.
 */
export const RENEW = `
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 or p[1][2] ~= ARGV[2] or tostring(p[1][4]) ~= ARGV[4] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1
`;

/**
 * Reclaims entries whose delivery has been idle longer than the visibility timeout (their consumer is
 * presumed dead). XAUTOCLAIM with JUSTID takes them without counting a delivery; those waiting in the
 * retry set are left there (their retry is taken when due), the others are claimed again with XCLAIM,
 * which counts the delivery. KEYS: stream, retry zset. ARGV: group, consumer, min idle ms, limit, cursor.
 * Returns { next cursor, entries: { id, fields, delivery count }… }.
 */
export const CLAIM_STALE = `
local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[5], 'COUNT', tonumber(ARGV[4]), 'JUSTID')
local out = {}
for _, id in ipairs(r[2]) do
  if not redis.call('ZSCORE', KEYS[2], id) then
    local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id)
    local e = claimed[1]
    if e and e[2] then
      local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
      out[#out + 1] = { e[1], e[2], p[1] and p[1][4] or 1 }
    else
      -- deleted from the stream by someone else: nothing left to deliver
      redis.call('XACK', KEYS[1], ARGV[1], id)
    end
  end
end
return { r[1], out }
`;

/**
 * Moves an entry to the dead-letter stream and acknowledges it, unless the caller no longer holds the
 * delivery. KEYS: stream, dlq stream, retry zset. ARGV: group, consumer, entry id, delivery count ('' to
 * skip the ownership check), fields of the dead letter…  Returns the dead letter id, or false.
 */
export const DEAD_LETTER = `
if ARGV[4] ~= '' then
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
  if #p == 0 or p[1][2] ~= ARGV[2] or tostring(p[1][4]) ~= ARGV[4] then return false end
end
local id = redis.call('XADD', KEYS[2], '*', unpack(ARGV, 5))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZREM', KEYS[3], ARGV[3])
return id
`;

/**
 * Publishes a dead letter again, under its message id plus a suffix, for the group that dead-lettered it
 * only, and removes it from the dead-letter stream. KEYS: stream, dlq stream. ARGV: dead letter id, id suffix, publishedAt. Returns the new message
 * id, or false when there is no such dead letter.
 */
export const REPLAY = `
local found = redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[1])
if #found == 0 then return false end
local f = found[1][2]
local orig = ARGV[1]
local fields = { 't', ARGV[3] }
for i = 1, #f, 2 do
  if f[i] == 'id' then orig = f[i + 1] end
  if f[i] == 'p' or f[i] == 'h' or f[i] == 'k' then
    fields[#fields + 1] = f[i]
    fields[#fields + 1] = f[i + 1]
  end
  -- only the group that dead-lettered it gets it again; the others acknowledge it unseen
  if f[i] == 'group' then
    fields[#fields + 1] = 'g'
    fields[#fields + 1] = f[i + 1]
  end
end
local id = orig .. ARGV[2]
fields[#fields + 1] = 'id'
fields[#fields + 1] = id
redis.call('XADD', KEYS[1], '*', unpack(fields))
redis.call('XDEL', KEYS[2], ARGV[1])
return id
`;

/**
 * Trims the entries every group has acknowledged: everything below the oldest id that some group still
 * holds pending or has not read yet. Never trims while the stream has no group (messages published before
 * the first consumer must wait for it). KEYS: stream. Returns the number of entries removed.
 */
export const TRIM = `${STREAM_IDS}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
if #groups == 0 then return 0 end
local floor = nil
for _, g in ipairs(groups) do
  local info = {}
  for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
  local candidate
  if tonumber(info['pending']) > 0 then
    candidate = redis.call('XPENDING', KEYS[1], info['name'])[2]
  else
    candidate = id_next(info['last-delivered-id'])
  end
  if floor == nil or id_less(candidate, floor) then floor = candidate end
end
return redis.call('XTRIM', KEYS[1], 'MINID', floor)
`;

/**
 * Removes a consumer from its group when it holds nothing pending (removing one with pending entries
 * would orphan them). KEYS: stream. ARGV: group, consumer. Returns 1 when removed.
 */
export const REMOVE_CONSUMER = `
local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if not ok then return 0 end
for _, c in ipairs(consumers) do
  local info = {}
  for i = 1, #c, 2 do info[c[i]] = c[i + 1] end
  if info['name'] == ARGV[2] then
    if tonumber(info['pending']) == 0 then
      redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
      return 1
    end
    return 0
  end
end
return 0
`;
