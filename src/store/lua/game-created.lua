-- game-created: the creation of a game, shared by the scripts that start one (prepended at load
-- time, not run alone): accept-matchup, accept-challenge, offer-rematch.
local LIVE_GAMES_CAP = 1000

-- Lists the game among the newest live games, keeping the newest LIVE_GAMES_CAP. Ended games
-- leave the list when a listing meets them (store/live-games.ts), not here: the game scripts
-- would need one more key each for a list that nobody may be reading.
local function list_live_game(key, game_id, now)
  redis.call('ZADD', key, now, game_id)
  redis.call('ZREMRANGEBYRANK', key, 0, -(LIVE_GAMES_CAP + 1))
end

-- Creates the game `g` at Redis time `now`: its hash from the prepared fields (ARGV[g.fields..]),
-- with createdAt = serverTime = now and the first-move deadline; lists it live; makes both
-- players `playing`; and sends both client/START_GAME (g.start, "$NOW" standing for TIME).
-- g = {id, key, deadlines, live_games, first_move_ms, fields (the index of the first field
-- in ARGV), start, players = {live key, live key}, channels = {channel, channel}}
local function create_game(g, now)
  local deadline = now + tonumber(g.first_move_ms)
  local fields = {}
  for i = g.fields, #ARGV do fields[#fields + 1] = ARGV[i] end
  redis.call('HSET', g.key, unpack(fields))
  redis.call('HSET', g.key, 'createdAt', now, 'serverTime', now, 'deadline', deadline)
  redis.call('ZADD', g.deadlines, deadline, 'game:' .. g.id)
  list_live_game(g.live_games, g.id, now)
  local playing = cjson.encode({status = 'playing', gameId = g.id})
  local start = string.gsub(g.start, '"%$NOW"', tostring(now))
  for i = 1, 2 do
    redis.call('SET', g.players[i], playing)
    redis.call('SPUBLISH', g.channels[i], start)
  end
end
