-- renew_host: extends the leases owner holds on jobs of one host.
-- KEYS[1]: the host prefix. ARGV: owner, expires, then the seqs.
-- A job still leased by owner is leased until expires (even if its old expiry has passed:
-- nobody reclaimed it). Returns the seqs that are not leased by owner any more: lost.
-- Single-slot.
local hp, owner, expires = KEYS[1], ARGV[1], ARGV[2]
local lost = {}
for i = 3, #ARGV do
  local seq = ARGV[i]
  local key = job_key(hp, seq)
  local f = redis.call('HMGET', key, 'state', 'owner')
  if f[1] == 'leased' and f[2] == owner then
    redis.call('HSET', key, 'exp', expires)
    redis.call('ZADD', hp .. ':leased', expires, member(seq))
  else
    lost[#lost + 1] = seq
  end
end
return lost
