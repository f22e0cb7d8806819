-- reclaim_host: leased jobs of one host go back to queued, ready at their old not_before,
-- without charging an attempt.
-- KEYS[1]: the host prefix. ARGV: now, all ('1': every lease; '0': those expired by now).
-- Returns how many. Single-slot.
local hp, now = KEYS[1], ARGV[1]
local leased
if ARGV[2] == '1' then
  leased = redis.call('ZRANGE', hp .. ':leased', 0, -1)
else
  leased = redis.call('ZRANGEBYSCORE', hp .. ':leased', '-inf', now)
end
for _, m in ipairs(leased) do
  local seq = seq_of(m)
  local key = job_key(hp, seq)
  unindex(hp, seq, 'leased')
  redis.call('HDEL', key, 'owner', 'exp')
  redis.call('HSET', key, 'state', 'queued', 'upd', now)
  index(hp, seq, 'queued', redis.call('HGET', key, 'nb'))
end
return #leased
