-- cancel-queue: take a queued user out of its pool's queue; the user becomes idle.
-- KEYS[1]  the user's live state   KEYS[2]  the pool's queue   KEYS[3]  the pool's queue entries
-- ARGV[1] userId  ARGV[2] timeControl  ARGV[3] rated (1|0): the pool the caller read from the state
-- Returns  'OK'; 'NOT_IN_QUEUE' when the user is not queued; 'RETRY' when the user is queued in
--          another pool than the KEYS name (the state changed since the caller read it)
local raw = redis.call('GET', KEYS[1])
if not raw then return 'NOT_IN_QUEUE' end
local state = cjson.decode(raw)
if state.status ~= 'queued' then return 'NOT_IN_QUEUE' end
local rated = '0'
if state.rated then rated = '1' end
if state.timeControl ~= ARGV[2] or rated ~= ARGV[3] then return 'RETRY' end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[1])
return 'OK'
