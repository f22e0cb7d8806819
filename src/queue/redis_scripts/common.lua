-- Shared by every script of the Redis queue: prepended to each one at build time
-- (redis_scripts.cpp). redis_keys.h describes the keys these helpers build.
-- Times and seqs travel as the decimal strings the client sent: a Lua number would print a
-- large one in exponent form.

-- BASE:{queue}, the global slot.
local function global_prefix(base)
  return base .. ':{queue}'
end

-- BASE:host:{HOST}, with '%', '{' and '}' of the host percent-encoded (as redis_keys.cpp).
local function host_prefix(base, host)
  local escaped = string.gsub(host, '[%%{}]', function(c)
    return string.format('%%%02X', string.byte(c))
  end)
  return base .. ':host:{' .. escaped .. '}'
end

local function job_key(hp, seq)
  return hp .. ':job:' .. seq
end

-- A member of the ready and leased sets: the seq padded to 20 digits, so that members of
-- equal score sort by seq.
local function member(seq)
  return string.format('%020d', tonumber(seq))
end

-- The seq of a member of any set: its last 20 characters, without the leading zeros.
local function seq_of(m)
  return (string.gsub(string.sub(m, -20), '^0+', ''))
end

-- A member of the dead set: CODE NUL PADDED_SEQ, so that ZRANGEBYLEX walks (code, seq).
local function dead_member(code, seq)
  return code .. '\0' .. member(seq)
end

-- The error code of a dead member.
local function code_of(m)
  return string.sub(m, 1, -22)
end

-- Takes job seq out of the index of its state and out of that state's count.
local function unindex(hp, seq, state, code)
  if state == 'queued' then
    redis.call('ZREM', hp .. ':ready', member(seq))
  elseif state == 'leased' then
    redis.call('ZREM', hp .. ':leased', member(seq))
  elseif state == 'dead' then
    code = code or ''
    redis.call('ZREM', hp .. ':dead', dead_member(code, seq))
    if redis.call('HINCRBY', hp .. ':dead_by', code, -1) <= 0 then
      redis.call('HDEL', hp .. ':dead_by', code)
    end
  end
  redis.call('HINCRBY', hp .. ':counts', state, -1)
end

-- Puts job seq into the index of its state and its count: score is the not_before of a
-- queued job and the lease expiry of a leased one; code the error code of a dead one.
local function index(hp, seq, state, score, code)
  if state == 'queued' then
    redis.call('ZADD', hp .. ':ready', score, member(seq))
  elseif state == 'leased' then
    redis.call('ZADD', hp .. ':leased', score, member(seq))
  elseif state == 'dead' then
    code = code or ''
    redis.call('ZADD', hp .. ':dead', 0, dead_member(code, seq))
    redis.call('HINCRBY', hp .. ':dead_by', code, 1)
  end
  redis.call('HINCRBY', hp .. ':counts', state, 1)
end

-- A new job (or one that starts over): queued on url at host, ready at now.
local function create(base, seq, id, url, host, now)
  local hp = host_prefix(base, host)
  redis.call('HSET', job_key(hp, seq), 'seq', seq, 'id', id, 'url', url, 'host', host,
    'state', 'queued', 'attempts', '0', 'nb', now, 'upd', now)
  index(hp, seq, 'queued', now)
end

-- A known job starts over with a new URL (maybe on another host): queued, ready at now,
-- attempts 0, error, manifest, lease and pending URL gone. Touches the global slot only
-- when the host changes.
local function requeue_with(base, seq, old_host, url, host, now)
  local ohp = host_prefix(base, old_host)
  local key = job_key(ohp, seq)
  local f = redis.call('HMGET', key, 'id', 'state', 'code')
  unindex(ohp, seq, f[2], f[3])
  redis.call('DEL', key)
  if old_host ~= host then
    local gp = global_prefix(base)
    redis.call('HSET', gp .. ':where', seq, host)
    redis.call('SADD', gp .. ':hosts', host)
  end
  create(base, seq, f[1], url, host, now)
end
