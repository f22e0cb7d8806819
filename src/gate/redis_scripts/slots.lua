-- slots: one worker's slot leases on one host, and the host's held slots, in one atomic
-- step on the server's clock (redis_gate.h has the model). Single-slot: every key shares
-- the host's hash tag.
-- KEYS[1]: the host's gate prefix, BASE:host:{HOST}:gate
--   P:leases   HASH    worker -> slots it holds (open connections or requests in flight)
--   P:expiry   ZSET    worker -> when its lease lapses (server ms)
--   P:lapse    HASH    worker -> ms its slots stay held if its lease lapses (--abandon-hold)
--   P:holds    ZSET    hold id -> when the held slot frees (server ms)
--   P:hold_seq STRING  the last hold id given out
-- ARGV: worker, have, want, cap, ttl_ms, lapse_hold_ms, then the ms of each hold to add.
--  have: the slots the worker believes it holds; want: the slots it wants from now on.
-- Returns {status, slots, in_use, held, next_free_ms}:
--  status 1: want granted (or lowered to); 0: an increase refused, the worker keeps its
--  slots (a decrease is always granted); -1: the worker's lease was lost (the server no
--  longer had `have` slots for it): nothing granted, whatever it had is held now.
--  slots: the worker's slots now; in_use: every worker's slots + held slots; held: held
--  slots; next_free_ms: ms until the first hold ends (0: none).
local p = KEYS[1]
local worker = ARGV[1]
local have = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local lapse_ms = tonumber(ARGV[6])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function hold_until(at)
  if at <= now then return end
  local id = redis.call('INCR', p .. ':hold_seq')
  redis.call('ZADD', p .. ':holds', at, id)
end

-- A worker's slots become held slots: from `from` (its lease's expiry, or now) for as
-- long as it asked, because the provider may still be serving what it sent on them.
local function to_holds(w, from)
  local n = tonumber(redis.call('HGET', p .. ':leases', w) or '0') or 0
  local ms = tonumber(redis.call('HGET', p .. ':lapse', w) or '0') or 0
  for _ = 1, n do hold_until(from + ms) end
  redis.call('HDEL', p .. ':leases', w)
  redis.call('HDEL', p .. ':lapse', w)
  redis.call('ZREM', p .. ':expiry', w)
end

-- Lapsed leases (their worker stopped renewing) become holds; ended holds go.
local lapsed = redis.call('ZRANGEBYSCORE', p .. ':expiry', '-inf', now, 'WITHSCORES')
for i = 1, #lapsed, 2 do to_holds(lapsed[i], tonumber(lapsed[i + 1])) end
redis.call('ZREMRANGEBYSCORE', p .. ':holds', '-inf', now)

local status = 1
local cur = tonumber(redis.call('HGET', p .. ':leases', worker) or '0') or 0
if cur ~= have then
  -- What the server still has for this worker, the worker no longer counts on: held.
  if cur > 0 then to_holds(worker, now) end
  if have > 0 then status = -1 end
  cur = 0
end
for i = 7, #ARGV do hold_until(now + tonumber(ARGV[i])) end

local function in_use()
  local n = redis.call('ZCARD', p .. ':holds')
  for _, v in ipairs(redis.call('HVALS', p .. ':leases')) do n = n + tonumber(v) end
  return n
end

local target = cur
if status == 1 then
  target = want
  if want > cur and in_use() - cur + want > cap then
    target = cur
    status = 0
  end
  if target > 0 then
    redis.call('HSET', p .. ':leases', worker, target)
    redis.call('HSET', p .. ':lapse', worker, lapse_ms)
    redis.call('ZADD', p .. ':expiry', now + ttl, worker)
  else
    redis.call('HDEL', p .. ':leases', worker)
    redis.call('HDEL', p .. ':lapse', worker)
    redis.call('ZREM', p .. ':expiry', worker)
  end
end

local held = redis.call('ZCARD', p .. ':holds')
local next_free = 0
if held > 0 then
  local first = redis.call('ZRANGE', p .. ':holds', 0, 0, 'WITHSCORES')
  next_free = tonumber(first[2]) - now
end
return {status, target, in_use(), held, next_free}
