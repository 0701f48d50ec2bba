/**
 * The token bucket, run atomically inside Redis so every process shares one bucket per target.
 * Time is Redis's own clock (TIME), so processes with skewed clocks still agree. A new bucket starts
 * with one token (see the local limiter for why).
 *
 * KEYS[1] bucket hash {tokens, ts, paused}
 * ARGV: 1 mode ('take' | 'pause' | 'observe'), 2 tokens per ms, 3 burst, 4 cost / pause ms / remaining,
 *       5 observe: ms until reset (or -1)
 * take → 0 when granted, else the milliseconds to wait before trying again.
 */
export const TOKEN_BUCKET_SCRIPT = `
local key = KEYS[1]
local mode = ARGV[1]
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local arg = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local data = redis.call('HMGET', key, 'tokens', 'ts', 'paused')
local tokens = tonumber(data[1])
local ts = tonumber(data[2])
local paused = tonumber(data[3]) or 0
if tokens == nil then tokens = math.min(1, burst); ts = now end
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate)
  ts = now
end
local ttl = math.ceil(burst / rate) + 60000
if mode == 'pause' then
  local untilTs = now + arg
  if untilTs > paused then paused = untilTs end
  tokens = 0
  if paused > ts then ts = paused end
  redis.call('HSET', key, 'tokens', tokens, 'ts', ts, 'paused', paused)
  redis.call('PEXPIRE', key, ttl + arg)
  return 0
end
if mode == 'observe' then
  if arg < tokens then tokens = math.max(0, arg) end
  local reset = tonumber(ARGV[5])
  if arg <= 0 and reset and reset > 0 then
    local untilTs = now + reset
    if untilTs > paused then paused = untilTs end
  end
  redis.call('HSET', key, 'tokens', tokens, 'ts', ts, 'paused', paused)
  redis.call('PEXPIRE', key, ttl)
  return 0
end
if now < paused then return paused - now end
if tokens >= arg then
  tokens = tokens - arg
  redis.call('HSET', key, 'tokens', tokens, 'ts', ts, 'paused', paused)
  redis.call('PEXPIRE', key, ttl)
  return 0
end
redis.call('HSET', key, 'tokens', tokens, 'ts', ts, 'paused', paused)
redis.call('PEXPIRE', key, ttl)
return math.max(1, math.ceil((arg - tokens) / rate))
`;
