-- replay: dead jobs that match a filter go back to queued, ready at now, with their
-- attempts reset and their error cleared; one atomic step.
-- KEYS[1]: the global prefix. ARGV: BASE, now, exact, class, lex_min, lex_max, then either
--   'hosts', HOST...: every dead job of those hosts whose member is in [lex_min, lex_max]
--   (ZRANGEBYLEX bounds) and whose code matches, or
--   'seq', SEQ, HOST: that one job, if it is dead and its code matches.
-- A code matches exact when exact is set, else ^http_<class>NN$ when class is set, else
-- always. The client chose the hosts by the filter's host part. Returns how many.
-- Not single-slot: every host it touches, in one step.
local base, now, exact, class = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local lex_min, lex_max = ARGV[5], ARGV[6]

local function code_matches(code)
  if exact ~= '' then
    return code == exact
  end
  if class ~= '' then
    return string.match(code, '^http_' .. class .. '%d%d$') ~= nil
  end
  return true
end

local function replay_one(hp, seq, code)
  unindex(hp, seq, 'dead', code)
  redis.call('HSET', job_key(hp, seq), 'state', 'queued', 'attempts', '0', 'nb', now,
    'code', '', 'detail', '', 'upd', now)
  index(hp, seq, 'queued', now)
end

local n = 0
if ARGV[7] == 'seq' then
  local seq, hp = ARGV[8], host_prefix(base, ARGV[9])
  local f = redis.call('HMGET', job_key(hp, seq), 'state', 'code')
  if f[1] == 'dead' and code_matches(f[2] or '') then
    replay_one(hp, seq, f[2] or '')
    n = 1
  end
  return n
end
for i = 8, #ARGV do
  local hp = host_prefix(base, ARGV[i])
  for _, m in ipairs(redis.call('ZRANGEBYLEX', hp .. ':dead', lex_min, lex_max)) do
    local code = code_of(m)
    if code_matches(code) then
      replay_one(hp, seq_of(m), code)
      n = n + 1
    end
  end
end
return n
