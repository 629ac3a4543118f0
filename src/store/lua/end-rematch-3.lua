-- end-rematch: a pending rematch offer ends without a game: declined by the player it was made
-- to, or lapsed because one of the two started something else (a queue, a challenge). Both
-- players get client/REMATCH_DECLINED in this step.
-- KEYS[1]  the rematch offer   KEYS[2] white's rematch pointer   KEYS[3] black's
-- ARGV[1]  the finished game's id   ARGV[2] the ending player's colour
-- ARGV[3]  'decline' (only the opponent's offer may be declined) or 'lapse' (any offer)
-- ARGV[4]  white's lobby channel   ARGV[5] black's
-- Returns  {'ENDED'} or {'NO_REMATCH_OFFER'}
local raw = redis.call('GET', KEYS[1])
if not raw then return {'NO_REMATCH_OFFER'} end
local offer = cjson.decode(raw)
if ARGV[3] == 'decline' and offer.by == ARGV[2] then return {'NO_REMATCH_OFFER'} end
redis.call('DEL', KEYS[1])
-- A pointer may name a newer offer of the same player by now: only this game's are removed.
for i = 2, 3 do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
local event = cjson.encode({type = 'client/REMATCH_DECLINED',
  payload = {gameId = ARGV[1], by = ARGV[2]}})
redis.call('SPUBLISH', ARGV[4], event)
redis.call('SPUBLISH', ARGV[5], event)
return {'ENDED'}
