-- apply: the transitions that end the current attempts of leased jobs (group commit), each
-- checked on its own (queue.h, Queue::apply).
-- KEYS[1]: the host prefix of the batch's first job (it routes the call). ARGV: BASE, owner,
-- now, then 12 fields per transition: seq, host, kind, not_before, code, detail, key,
-- sha256, bytes, content_type, etag, last_modified. host is '' when the client found no job
-- with that seq.
-- A transition is rejected when its job does not exist, when its seq appeared earlier in
-- the batch, or when its job is not leased by owner; the others apply. A job with a pending
-- URL starts over with it whatever the kind (requeue_with): the attempt was for the old URL.
-- Returns the rejections in batch order, each {index (1-based), seq, reason, state,
-- holder}: reason no_such_job, twice_in_batch, not_leased or leased_by_other.
-- Single-slot when every job of the batch is on one host and no pending URL moves a job to
-- another host (the global slot is read only for a job that moved during the batch).
local base, owner, now = ARGV[1], ARGV[2], ARGV[3]
local FIELDS = 12
local rejected, seen = {}, {}

local function apply_one(i, hp, key)
  local seq, kind = ARGV[i], ARGV[i + 2]
  local not_before, code, detail = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
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

for i = 4, #ARGV, FIELDS do
  local n = (i - 4) / FIELDS + 1
  local seq, host = ARGV[i], ARGV[i + 1]
  local f = {}
  if host ~= '' and not seen[seq] then
    f = redis.call('HMGET', job_key(host_prefix(base, host), seq), 'state', 'owner', 'pending',
      'phost')
    if not f[1] then
      -- Moved to another host since the client looked (a pending URL taken earlier in
      -- this batch, or a concurrent enqueue).
      host = redis.call('HGET', global_prefix(base) .. ':where', seq) or ''
      f = redis.call('HMGET', job_key(host_prefix(base, host), seq), 'state', 'owner',
        'pending', 'phost')
    end
  end
  local hp = host_prefix(base, host)
  local key = job_key(hp, seq)
  if host == '' then
    rejected[#rejected + 1] = {n, seq, 'no_such_job', '', ''}
  elseif seen[seq] then
    rejected[#rejected + 1] = {n, seq, 'twice_in_batch', '', ''}
  elseif not f[1] then
    rejected[#rejected + 1] = {n, seq, 'no_such_job', '', ''}
  elseif f[1] ~= 'leased' then
    rejected[#rejected + 1] = {n, seq, 'not_leased', f[1], ''}
  elseif f[2] ~= owner then
    rejected[#rejected + 1] = {n, seq, 'leased_by_other', f[1], tostring(f[2])}
  elseif f[3] then
    requeue_with(base, seq, host, f[3], f[4], now)
  else
    apply_one(i, hp, key)
  end
  seen[seq] = true
end
return rejected
