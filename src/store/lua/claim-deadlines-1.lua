-- claim-deadlines: lease the due members of the deadline set to the calling instance.
-- A claimed member's score is pushed to now + lease, so no other instance takes it while the
-- claimer works; if the claimer dies, the lease runs out and the member is due again.
-- KEYS[1]  deadlines sorted set (member "<kind>:<id>", score = due time in ms)
-- ARGV[1]  lease in ms
-- ARGV[2]  how many members at most
-- Returns  flat list {member, leaseScore, ...}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = now + tonumber(ARGV[1])
local due = redis.call('ZRANGE', KEYS[1], '-inf', now, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, member in ipairs(due) do
  redis.call('ZADD', KEYS[1], lease, member)
  out[#out + 1] = member
  out[#out + 1] = tostring(lease)
end
return out
