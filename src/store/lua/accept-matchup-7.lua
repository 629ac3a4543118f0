-- accept-matchup: one player accepts a proposal; once both have accepted, the game is created in
-- the same step, both players become `playing`, and the proposal and its expiry are gone.
-- KEYS[1]  the proposal   KEYS[2]  live state of player a   KEYS[3]  live state of player b
-- KEYS[4]  the new game's hash   KEYS[5]  the new game's deadlines bucket   KEYS[6]  the live games
-- list   KEYS[7]  the proposal's deadlines bucket
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
create_game({id = gameId, key = KEYS[4], deadlines = KEYS[5], live_games = KEYS[6],
  first_move_ms = ARGV[6], fields = 10, start = ARGV[9], players = {KEYS[2], KEYS[3]},
  channels = {ARGV[7], ARGV[8]}}, now)
redis.call('ZREM', KEYS[7], 'proposal:' .. ARGV[1])
redis.call('DEL', KEYS[1])
return {'STARTED', gameId}
