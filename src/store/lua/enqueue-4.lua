-- enqueue: put an idle user into a pool's queue and record the request as matchmaker/ADD_TO_QUEUE.
-- KEYS[1]  the user's live state (absent = idle)
-- KEYS[2]  the pool's queue (sorted set: userId scored by `since`)
-- KEYS[3]  the pool's queue entries (hash: userId -> JSON {username, rating, guest, autoAccept, since})
-- KEYS[4]  the matchmaker stream
-- ARGV[1] userId  ARGV[2] timeControl  ARGV[3] rated (1|0)  ARGV[4] autoAccept (1|0)
-- ARGV[5] rating for the pool's speed  ARGV[6] guest (1|0)  ARGV[7] username
-- ARGV[8] approximate maximum length of the stream
-- Returns  {1, since} when queued; {0, current live state JSON} when the user is not idle
local current = redis.call('GET', KEYS[1])
if current then
  local ok, state = pcall(cjson.decode, current)
  if not (ok and type(state) == 'table' and state.status == 'idle') then return {0, current} end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local userId = ARGV[1]
local rated = ARGV[3] == '1'
local autoAccept = ARGV[4] == '1'
redis.call('ZADD', KEYS[2], now, userId)
redis.call('HSET', KEYS[3], userId, cjson.encode({
  username = ARGV[7], rating = tonumber(ARGV[5]), guest = ARGV[6] == '1',
  autoAccept = autoAccept, since = now }))
redis.call('SET', KEYS[1], cjson.encode({
  status = 'queued', timeControl = ARGV[2], rated = rated, since = now, autoAccept = autoAccept }))
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[8], '*',
  'type', 'matchmaker/ADD_TO_QUEUE', 'userId', userId, 'timeControl', ARGV[2],
  'rated', ARGV[3], 'autoAccept', ARGV[4], 'rating', ARGV[5], 'since', tostring(now))
return {1, now}
