-- game-created: what every script that creates a game does besides (prepended at load time, not
-- run alone): lists the game among the newest live games, which keeps the newest LIVE_GAMES_CAP.
-- Ended games leave the list when a listing meets them (store/live-games.ts), not here: the game
-- scripts would need one more key each for a list that nobody may be reading.
local LIVE_GAMES_CAP = 1000

local function list_live_game(key, game_id, now)
  redis.call('ZADD', key, now, game_id)
  redis.call('ZREMRANGEBYRANK', key, 0, -(LIVE_GAMES_CAP + 1))
end
