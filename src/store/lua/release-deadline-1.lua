-- release-deadline: drop a claimed member once its work is done, unless the work rescheduled it.
-- KEYS[1]  deadlines sorted set
-- ARGV[1]  member
-- ARGV[2]  the lease score given by claim-deadlines
-- Returns  1 when removed, 0 when the member was rescheduled (or already gone)
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
