-- reclaim_host: leased jobs of one host go back to queued without charging an attempt:
-- ready at their old not_before, or, with a pending URL, starting over with it (ready now).
-- KEYS[1]: the host prefix. ARGV: now, all ('1': every lease; '0': those expired by now),
-- BASE, the host.
-- Returns how many. Single-slot, unless a pending URL moves a job to another host.
local hp, now, base, host = KEYS[1], ARGV[1], ARGV[3], ARGV[4]
local leased
if ARGV[2] == '1' then
  leased = redis.call('ZRANGE', hp .. ':leased', 0, -1)
else
  leased = redis.call('ZRANGEBYSCORE', hp .. ':leased', '-inf', now)
end
for _, m in ipairs(leased) do
  local seq = seq_of(m)
  local key = job_key(hp, seq)
  local f = redis.call('HMGET', key, 'pending', 'phost')
  if f[1] then
    requeue_with(base, seq, host, f[1], f[2], now)
  else
    unindex(hp, seq, 'leased')
    redis.call('HDEL', key, 'owner', 'exp')
    redis.call('HSET', key, 'state', 'queued', 'upd', now)
    index(hp, seq, 'queued', redis.call('HGET', key, 'nb'))
  end
end
return #leased
