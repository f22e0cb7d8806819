-- enqueue: adds jobs, idempotently, all in one atomic step.
-- KEYS[1]: the global prefix BASE:{queue}. ARGV: BASE, now, then id, url, host per job.
-- Returns {inserted, unchanged, requeued}.
-- Not single-slot: the id index and seq counter (global slot) with each job's host slot.
local gp, base, now = KEYS[1], ARGV[1], ARGV[2]
local inserted, unchanged, requeued = 0, 0, 0

local function create(seq, id, url, host)
  local hp = host_prefix(base, host)
  redis.call('HSET', job_key(hp, seq), 'seq', seq, 'id', id, 'url', url, 'host', host,
    'state', 'queued', 'attempts', '0', 'nb', now, 'upd', now)
  index(hp, seq, 'queued', now)
end

for i = 3, #ARGV, 3 do
  local id, url, host = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local seq = redis.call('HGET', gp .. ':ids', id)
  if not seq then
    seq = string.format('%d', redis.call('INCR', gp .. ':seq'))
    redis.call('HSET', gp .. ':ids', id, seq)
    redis.call('HSET', gp .. ':where', seq, host)
    redis.call('SADD', gp .. ':hosts', host)
    create(seq, id, url, host)
    inserted = inserted + 1
  else
    local old = redis.call('HGET', gp .. ':where', seq)
    local ohp = host_prefix(base, old)
    local f = redis.call('HMGET', job_key(ohp, seq), 'url', 'state', 'code')
    if f[1] == url then
      unchanged = unchanged + 1
    else
      -- A known id with a new URL starts over (attempts, error and manifest cleared),
      -- maybe on another host. A lease on it is void: apply rejects its transition.
      unindex(ohp, seq, f[2], f[3])
      redis.call('DEL', job_key(ohp, seq))
      if old ~= host then
        redis.call('HSET', gp .. ':where', seq, host)
        redis.call('SADD', gp .. ':hosts', host)
      end
      create(seq, id, url, host)
      requeued = requeued + 1
    end
  end
end
return {inserted, unchanged, requeued}
