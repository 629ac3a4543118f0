-- cancel-challenge: a challenge ends without a game: declined by its addressee, cancelled by its
-- challenger, or expired; client/CHALLENGE_CANCELLED goes to both in this same step.
-- KEYS[1]  the challenge   KEYS[2]  the challenger's challenges made (sorted set)
-- KEYS[3]  the addressee's challenges received (KEYS[2] again for a link challenge)
-- KEYS[4]  its deadlines bucket
-- ARGV[1] challengeId  ARGV[2] reason ('declined' | 'cancelled' | 'expired')
-- ARGV[3] the declining or cancelling userId ('' when expired)
-- ARGV[4] the challenger's lobby channel  ARGV[5] the addressee's ('' for a link challenge)
-- Returns  {'CANCELLED'}; {'UNKNOWN_CHALLENGE'} when it is gone (or, but for an expiry, past its
--          expiresAt); {'NOT_YOUR_GAME'} when the user may not decline or cancel it;
--          {'NOT_DUE'} (an expiry before expiresAt: the deadline is put back at expiresAt)
local raw = redis.call('GET', KEYS[1])
if not raw then return {'UNKNOWN_CHALLENGE'} end
local c = cjson.decode(raw)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local member = 'challenge:' .. ARGV[1]
local reason = ARGV[2]
if reason == 'expired' then
  if now < c.expiresAt then
    redis.call('ZADD', KEYS[4], c.expiresAt, member)
    return {'NOT_DUE'}
  end
else
  if now >= c.expiresAt then return {'UNKNOWN_CHALLENGE'} end
  if reason == 'cancelled' and c.from.id ~= ARGV[3] then return {'NOT_YOUR_GAME'} end
  if reason == 'declined' and (c.to == cjson.null or c.to.id ~= ARGV[3]) then
    return {'NOT_YOUR_GAME'}
  end
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], member)
local event = cjson.encode({ type = 'client/CHALLENGE_CANCELLED',
  payload = { challengeId = ARGV[1], reason = reason } })
redis.call('SPUBLISH', ARGV[4], event)
if ARGV[5] ~= '' then redis.call('SPUBLISH', ARGV[5], event) end
return {'CANCELLED'}
