-- accept-challenge: a challenge is taken, once: the game is created, both players become
-- `playing` (a queued one leaves its queue), the challenge and its expiry are gone, and
-- client/START_GAME goes to both players' lobby channels, all in this one step.
-- KEYS[1]  the challenge   KEYS[2]  the challenger's live state   KEYS[3]  the acceptor's
-- KEYS[4]  the new game's hash   KEYS[5]  the new game's deadlines bucket
-- KEYS[6]  the challenger's challenges made   KEYS[7]  the acceptor's challenges received
-- KEYS[8], KEYS[9]    the queue and queue entries of the challenger's pool, when queued
-- KEYS[10], KEYS[11]  the same of the acceptor (when not queued, any key: they are not touched)
-- KEYS[12] the live games list   KEYS[13] the challenge's deadlines bucket
-- ARGV[1] challengeId  ARGV[2] challenger's userId  ARGV[3] acceptor's userId
-- ARGV[4] gameId  ARGV[5] FIRST_MOVE_MS  ARGV[6] challenger's lobby channel  ARGV[7] acceptor's
-- ARGV[8], ARGV[9] the queue the caller read each one in, '<pool>:<1|0>' ('' = not queued)
-- ARGV[10] the client/START_GAME JSON, "$NOW" standing for TIME   ARGV[11..] the game's hash as
--          field, value, ...; createdAt, serverTime (= TIME) and deadline are added here
-- Returns  {'STARTED', gameId}; {'UNKNOWN_CHALLENGE'} when it is gone or past its expiresAt;
--          {'NOT_YOUR_GAME'} when it is the acceptor's own or addressed to someone else;
--          {'BUSY'} when either player is proposed or playing; {'RETRY'} when a player's queue
--          is not the one the caller read (the state changed: read it again)
local raw = redis.call('GET', KEYS[1])
if not raw then return {'UNKNOWN_CHALLENGE'} end
local c = cjson.decode(raw)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now >= c.expiresAt or c.from.id ~= ARGV[2] then return {'UNKNOWN_CHALLENGE'} end
if ARGV[3] == c.from.id or (c.to ~= cjson.null and c.to.id ~= ARGV[3]) then
  return {'NOT_YOUR_GAME'}
end
local queued = {}
for i = 1, 2 do
  local live = redis.call('GET', KEYS[1 + i])
  local state = live and cjson.decode(live)
  local status = state and state.status or 'idle'
  if status == 'proposed' or status == 'playing' then return {'BUSY'} end
  local pool = ''
  if status == 'queued' then pool = state.timeControl .. ':' .. (state.rated and '1' or '0') end
  if pool ~= ARGV[7 + i] then return {'RETRY'} end
  queued[i] = pool ~= ''
end
local ids = {ARGV[2], ARGV[3]}
for i = 1, 2 do
  if queued[i] then
    redis.call('ZREM', KEYS[6 + 2 * i], ids[i])
    redis.call('HDEL', KEYS[7 + 2 * i], ids[i])
  end
end
local gameId = ARGV[4]
create_game({id = gameId, key = KEYS[4], deadlines = KEYS[5], live_games = KEYS[12],
  first_move_ms = ARGV[5], fields = 11, start = ARGV[10], players = {KEYS[2], KEYS[3]},
  channels = {ARGV[6], ARGV[7]}}, now)
redis.call('ZREM', KEYS[13], 'challenge:' .. ARGV[1])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
return {'STARTED', gameId}
