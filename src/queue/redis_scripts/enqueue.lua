-- enqueue: adds jobs, idempotently, all in one atomic step (queue.h, Queue::enqueue).
-- KEYS[1]: the global prefix BASE:{queue}. ARGV: BASE, now, then id, url, host per job.
-- A known id with a new URL (one that differs from its pending URL if it has one, else from
-- its URL) starts over with it, unless it is leased: then the URL waits in the job's
-- 'pending' field (its host in 'phost') for the current attempt to end (apply.lua,
-- reclaim_host.lua); the URL being fetched, enqueued again, drops the pending one.
-- Returns {inserted, unchanged, requeued}.
-- Not single-slot: the id index and seq counter (global slot) with each job's host slot.
local gp, base, now = KEYS[1], ARGV[1], ARGV[2]
local inserted, unchanged, requeued = 0, 0, 0

for i = 3, #ARGV, 3 do
  local id, url, host = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local seq = redis.call('HGET', gp .. ':ids', id)
  if not seq then
    seq = string.format('%d', redis.call('INCR', gp .. ':seq'))
    redis.call('HSET', gp .. ':ids', id, seq)
    redis.call('HSET', gp .. ':where', seq, host)
    redis.call('SADD', gp .. ':hosts', host)
    create(base, seq, id, url, host, now)
    inserted = inserted + 1
  else
    local old = redis.call('HGET', gp .. ':where', seq)
    local key = job_key(host_prefix(base, old), seq)
    local f = redis.call('HMGET', key, 'url', 'state', 'pending')
    local latest = f[3] or f[1]
    if latest == url then
      unchanged = unchanged + 1
    else
      requeued = requeued + 1
      if f[2] ~= 'leased' then
        requeue_with(base, seq, old, url, host, now)
      elseif f[1] == url then
        redis.call('HDEL', key, 'pending', 'phost')
      else
        redis.call('HSET', key, 'pending', url, 'phost', host)
      end
    end
  end
end
return {inserted, unchanged, requeued}
