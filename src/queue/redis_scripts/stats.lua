-- stats: the counts per host and state, and the dead jobs per host and error code, as one
-- consistent snapshot.
-- KEYS[1]: the global prefix. ARGV: BASE.
-- Returns {host, {state, n, ...}, {code, n, ...}} per host that has ever held a job.
-- Not single-slot: reads every host's slot.
local out = {}
for _, host in ipairs(redis.call('SMEMBERS', KEYS[1] .. ':hosts')) do
  local hp = host_prefix(ARGV[1], host)
  out[#out + 1] = {host, redis.call('HGETALL', hp .. ':counts'),
    redis.call('HGETALL', hp .. ':dead_by')}
end
return out
