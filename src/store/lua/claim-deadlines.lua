-- claim-deadlines: lease the due members of some deadline buckets to the calling instance.
-- A claimed member's score is pushed to now + lease, so no other instance takes it while the
-- claimer works; if the claimer dies, the lease runs out and the member is due again.
-- KEYS     deadline buckets of one slot (one on a Cluster; all of them on one Redis), each a
--          sorted set of members "<kind>:<id>" scored by due time in ms
-- ARGV[1]  lease in ms
-- ARGV[2]  how many members at most, over all the KEYS
-- Returns  flat list {key index (1-based), member, leaseScore, ...}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = now + tonumber(ARGV[1])
local left = tonumber(ARGV[2])
local out = {}
for i, key in ipairs(KEYS) do
  if left <= 0 then break end
  local due = redis.call('ZRANGE', key, '-inf', now, 'BYSCORE', 'LIMIT', 0, left)
  for _, member in ipairs(due) do
    redis.call('ZADD', key, lease, member)
    out[#out + 1] = i
    out[#out + 1] = member
    out[#out + 1] = tostring(lease)
  end
  left = left - #due
end
return out
