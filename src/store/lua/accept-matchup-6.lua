-- accept-matchup: one player accepts a proposal; once both have accepted, the game is created in
-- the same step, both players become `playing`, and the proposal and its expiry are gone.
-- KEYS[1]  the proposal   KEYS[2]  live state of player a   KEYS[3]  live state of player b
-- KEYS[4]  the new game's hash   KEYS[5]  the deadlines sorted set   KEYS[6]  the live games list
-- ARGV[1] matchId  ARGV[2] accepting userId ('' = nobody new: start if both have accepted)
-- ARGV[3] a  ARGV[4] b  ARGV[5] gameId  ARGV[6] FIRST_MOVE_MS
-- ARGV[7] a's lobby channel  ARGV[8] b's lobby channel
-- ARGV[9] the client/START_GAME JSON of the new game, where the string "$NOW" stands for TIME
--         (createdAt and the clock's serverTime); published to both players in this same step
-- ARGV[10..] the new game's hash as field, value, ... (none when the caller did not prepare it);
--          createdAt, serverTime (= TIME) and deadline (= TIME + FIRST_MOVE_MS) are added here
-- Returns  {'STARTED', gameId}; {'WAITING'} while the other side has not accepted;
--          {'NEED_GAME'} when both have accepted but no game was prepared (call again with it);
--          {'UNKNOWN_MATCH'} when the proposal is gone or expired, or the user is not in it
local raw = redis.call('GET', KEYS[1])
if not raw then return {'UNKNOWN_MATCH'} end
local p = cjson.decode(raw)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local a, b = p.players[ARGV[3]], p.players[ARGV[4]]
if not a or not b then return {'UNKNOWN_MATCH'} end
if ARGV[2] ~= '' then
  local me = p.players[ARGV[2]]
  if not me or now >= p.expiresAt then return {'UNKNOWN_MATCH'} end
  me.accepted = true
end
if not (a.accepted and b.accepted) then
  redis.call('SET', KEYS[1], cjson.encode(p))
  return {'WAITING'}
end
if #ARGV < 10 then
  redis.call('SET', KEYS[1], cjson.encode(p))
  return {'NEED_GAME'}
end
-- Both players must still be held by this proposal: never put anyone in two games.
for i = 2, 3 do
  local live = redis.call('GET', KEYS[i])
  local state = live and cjson.decode(live)
  if not state or state.status ~= 'proposed' or state.matchId ~= ARGV[1] then
    return {'UNKNOWN_MATCH'}
  end
end
local gameId = ARGV[5]
local deadline = now + tonumber(ARGV[6])
local fields = {}
for i = 10, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[4], unpack(fields))
redis.call('HSET', KEYS[4], 'createdAt', now, 'serverTime', now, 'deadline', deadline)
redis.call('ZADD', KEYS[5], deadline, 'game:' .. gameId)
redis.call('ZREM', KEYS[5], 'proposal:' .. ARGV[1])
list_live_game(KEYS[6], gameId, now)
local playing = cjson.encode({ status = 'playing', gameId = gameId })
redis.call('SET', KEYS[2], playing)
redis.call('SET', KEYS[3], playing)
redis.call('DEL', KEYS[1])
local start = string.gsub(ARGV[9], '"%$NOW"', tostring(now))
redis.call('SPUBLISH', ARGV[7], start)
redis.call('SPUBLISH', ARGV[8], start)
return {'STARTED', gameId}
