-- free-player: a player of an ended game becomes idle, if still in that game: one follow-up of
-- the game's end (store/game-end.ts), in the player's own slot; running it again changes nothing.
-- KEYS[1]  the player's live state
-- ARGV[1]  the ended game's id
-- Returns  1 when freed; 0 when the player was not in that game any more
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local ok, state = pcall(cjson.decode, raw)
if ok and type(state) == 'table' and state.status == 'playing' and state.gameId == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
