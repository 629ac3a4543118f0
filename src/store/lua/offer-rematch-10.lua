-- offer-rematch: a player of a finished game offers a rematch, or accepts the opponent's pending
-- offer: then the new game (colours swapped, same time control and mode) is created, both players
-- become `playing` and client/START_GAME goes to both, all in this one step.
-- KEYS[1]  the finished game's hash   KEYS[2]  its rematch offer
-- KEYS[3]  live state of its white   KEYS[4]  of its black
-- KEYS[5]  white's rematch pointer   KEYS[6]  black's (store/keys.ts userRematch)
-- KEYS[7]  the offerer's offers this minute
-- KEYS[8]  the new game's hash (any key when not prepared)   KEYS[9] the new game's deadlines
--          bucket
-- KEYS[10] the live games list
-- ARGV[1]  the offerer's colour in the finished game   ARGV[2] REMATCH_MS
-- ARGV[3]  white's lobby channel   ARGV[4] black's   ARGV[5] the most offers a minute
-- ARGV[6]  the new game's id ('' = not prepared)   ARGV[7] FIRST_MOVE_MS
-- ARGV[8]  its client/START_GAME JSON ("$NOW" for TIME)   ARGV[9..] its hash as field, value, ...
-- Returns  {'OFFERED'} (new, or already pending); {'STARTED', gameId}; {'PREPARE'} when the
--          opponent's offer is pending and no game was prepared (call again with one);
--          {'NOT_FOUND'}; {'BUSY'} while the game is live or either player is queued, proposed
--          or playing; {'RATE_LIMITED'} past the offers of a minute
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'NOT_FOUND'} end
if status ~= 'ended' then return {'BUSY'} end
for i = 3, 4 do
  local live = redis.call('GET', KEYS[i])
  if live then
    local state = cjson.decode(live)
    -- Still `playing` this finished game is free: its follow-up has not run yet (store/game-end.ts).
    local here = state.status == 'playing' and state.gameId == redis.call('HGET', KEYS[1], 'id')
    if state.status ~= 'idle' and not here then return {'BUSY'} end
  end
end
local game_id = redis.call('HGET', KEYS[1], 'id')
local by = ARGV[1]
local raw = redis.call('GET', KEYS[2])
local offer = raw and cjson.decode(raw)
if offer and offer.by == by then return {'OFFERED'} end

if not offer then
  local count = redis.call('INCR', KEYS[7])
  if count == 1 then redis.call('PEXPIRE', KEYS[7], 60000) end
  if count > tonumber(ARGV[5]) then return {'RATE_LIMITED'} end
  local ms = tonumber(ARGV[2])
  redis.call('SET', KEYS[2], cjson.encode({by = by}), 'PX', ms)
  redis.call('SET', KEYS[5], game_id, 'PX', ms)
  redis.call('SET', KEYS[6], game_id, 'PX', ms)
  local event = cjson.encode({type = 'client/REMATCH_OFFERED',
    payload = {gameId = game_id, by = by}})
  redis.call('SPUBLISH', ARGV[3], event)
  redis.call('SPUBLISH', ARGV[4], event)
  return {'OFFERED'}
end

-- The opponent offered: this is the acceptance.
if ARGV[6] == '' then return {'PREPARE'} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local new_id = ARGV[6]
create_game({id = new_id, key = KEYS[8], deadlines = KEYS[9], live_games = KEYS[10],
  first_move_ms = ARGV[7], fields = 9, start = ARGV[8], players = {KEYS[3], KEYS[4]},
  channels = {ARGV[3], ARGV[4]}}, now)
redis.call('DEL', KEYS[2])
for i = 5, 6 do
  if redis.call('GET', KEYS[i]) == game_id then redis.call('DEL', KEYS[i]) end
end
return {'STARTED', new_id}
