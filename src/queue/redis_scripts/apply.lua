-- apply: the state changes of a batch of leased jobs (group commit).
-- KEYS[1]: the host prefix of the batch's first job (it routes the call). ARGV: BASE, owner,
-- now, mode, then 12 fields per transition: seq, host, kind, not_before, code, detail, key,
-- sha256, bytes, content_type, etag, last_modified. host is '' when the client found no job
-- with that seq.
-- A transition is rejected unless its job is leased by owner, and when its seq appeared
-- earlier in the batch. mode 'all': one rejection and nothing applies; mode 'each': every
-- transition that is not rejected applies. Returns the rejections, in batch order, as
-- {index (1-based), seq, why}; empty when everything applied.
-- Single-slot when every job of the batch is on one host.
local base, owner, now, mode = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local FIELDS = 12
local rejected, accepted, seen = {}, {}, {}

for i = 5, #ARGV, FIELDS do
  local seq, host = ARGV[i], ARGV[i + 1]
  local why = nil
  if host == '' then
    why = 'no such job'
  elseif seen[seq] then
    why = 'it appears twice in the batch'
  else
    local f = redis.call('HMGET', job_key(host_prefix(base, host), seq), 'state', 'owner')
    if not f[1] then
      why = 'no such job'
    elseif f[1] ~= 'leased' then
      why = 'it is ' .. f[1]
    elseif f[2] ~= owner then
      why = 'it is leased by ' .. tostring(f[2])
    end
  end
  seen[seq] = true
  if why then
    rejected[#rejected + 1] = {(i - 5) / FIELDS + 1, seq, why}
  else
    accepted[#accepted + 1] = i
  end
end
if mode == 'all' and #rejected > 0 then
  return rejected
end

for _, i in ipairs(accepted) do
  local seq, host, kind = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local not_before, code, detail = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  local hp = host_prefix(base, host)
  local key = job_key(hp, seq)
  unindex(hp, seq, 'leased')
  redis.call('HDEL', key, 'owner', 'exp')
  if kind == 'complete' then
    redis.call('HINCRBY', key, 'attempts', 1)
    redis.call('HSET', key, 'state', 'done', 'key', ARGV[i + 6], 'sha256', ARGV[i + 7],
      'bytes', ARGV[i + 8], 'ctype', ARGV[i + 9], 'etag', ARGV[i + 10], 'lm', ARGV[i + 11],
      'code', '', 'detail', '', 'upd', now)
    index(hp, seq, 'done')
  elseif kind == 'retry' or kind == 'defer' then
    if kind == 'retry' then
      redis.call('HINCRBY', key, 'attempts', 1)
    end
    redis.call('HSET', key, 'state', 'queued', 'nb', not_before, 'code', code,
      'detail', detail, 'upd', now)
    index(hp, seq, 'queued', not_before)
  elseif kind == 'bury' then
    redis.call('HINCRBY', key, 'attempts', 1)
    redis.call('HSET', key, 'state', 'dead', 'code', code, 'detail', detail, 'upd', now)
    index(hp, seq, 'dead', 0, code)
  else -- release
    redis.call('HSET', key, 'state', 'queued', 'upd', now)
    index(hp, seq, 'queued', redis.call('HGET', key, 'nb'))
  end
end
return rejected
