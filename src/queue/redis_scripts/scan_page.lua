-- scan_page: a page of the manifest, in seq order, as one consistent read.
-- KEYS[1]: the global prefix. ARGV: BASE, after, limit.
-- Returns the jobs with seq > after, at most limit of them, each as HGETALL's flat array.
-- Not single-slot: reads the hosts' slots the page's jobs live in.
local gp, base = KEYS[1], ARGV[1]
local seq, limit = tonumber(ARGV[2]) + 1, tonumber(ARGV[3])
local last = tonumber(redis.call('GET', gp .. ':seq') or '0')
local out = {}
while seq <= last and #out < limit do
  local s = string.format('%d', seq)
  local host = redis.call('HGET', gp .. ':where', s)
  if host then
    out[#out + 1] = redis.call('HGETALL', job_key(host_prefix(base, host), s))
  end
  seq = seq + 1
end
return out
