-- lease_host: leases up to max ready jobs of one host, oldest first.
-- KEYS[1]: the host prefix BASE:host:{HOST}. ARGV: now, max, owner, expires.
-- Takes the queued jobs whose not_before <= now in (not_before, seq) order and leases them
-- to owner until expires. Returns one {seq, not_before, id, url, host, attempts} per job.
-- Single-slot.
local hp, now, max, owner, expires = KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local out = {}
if max <= 0 then
  return out
end
local ready = redis.call('ZRANGEBYSCORE', hp .. ':ready', '-inf', now, 'LIMIT', 0, max)
for _, m in ipairs(ready) do
  local seq = seq_of(m)
  local key = job_key(hp, seq)
  unindex(hp, seq, 'queued')
  redis.call('HSET', key, 'state', 'leased', 'owner', owner, 'exp', expires, 'upd', now)
  index(hp, seq, 'leased', expires)
  local f = redis.call('HMGET', key, 'nb', 'id', 'url', 'host', 'attempts')
  out[#out + 1] = {seq, f[1], f[2], f[3], f[4], f[5]}
end
return out
