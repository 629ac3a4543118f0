-- cancel-matchup: a proposal ends without a game, declined by a player or expired. A player who
-- had accepted (and did not decline) goes back to the queue with its old `since`; the other
-- becomes idle.
-- KEYS[1]  the proposal   KEYS[2]  live state of player a   KEYS[3]  live state of player b
-- KEYS[4]  the pool's queue   KEYS[5]  the pool's queue entries   KEYS[6]  its deadlines bucket
-- ARGV[1] matchId  ARGV[2] reason ('declined' | 'expired')  ARGV[3] declining userId ('' if expired)
-- ARGV[4] a  ARGV[5] b  ARGV[6] a's lobby channel  ARGV[7] b's lobby channel: each gets its
--         client/MATCHUP_CANCELLED in this same step
-- Returns  {'CANCELLED', requeued a (1|0), requeued b (1|0)};
--          {'UNKNOWN_MATCH'} when the proposal is gone, expired (decline) or the user is not in it;
--          {'NOT_DUE'} (expiry before expiresAt: the deadline is put back at expiresAt);
--          {'ALL_ACCEPTED'} (expiry of a proposal both accepted: the caller starts the game)
local member = 'proposal:' .. ARGV[1]
local raw = redis.call('GET', KEYS[1])
if not raw then return {'UNKNOWN_MATCH'} end
local p = cjson.decode(raw)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ids = {ARGV[4], ARGV[5]}
if not p.players[ids[1]] or not p.players[ids[2]] then return {'UNKNOWN_MATCH'} end
if ARGV[2] == 'declined' then
  if not p.players[ARGV[3]] or now >= p.expiresAt then return {'UNKNOWN_MATCH'} end
else
  if now < p.expiresAt then
    redis.call('ZADD', KEYS[6], p.expiresAt, member)
    return {'NOT_DUE'}
  end
  if p.players[ids[1]].accepted and p.players[ids[2]].accepted then return {'ALL_ACCEPTED'} end
end
local out = {'CANCELLED'}
for i, id in ipairs(ids) do
  local player = p.players[id]
  local live = redis.call('GET', KEYS[1 + i])
  local state = live and cjson.decode(live)
  local held = state and state.status == 'proposed' and state.matchId == ARGV[1]
  local requeue = player.accepted and id ~= ARGV[3]
  if held and requeue then
    redis.call('ZADD', KEYS[4], player.since, id)
    redis.call('HSET', KEYS[5], id, cjson.encode({ username = player.username,
      rating = player.rating, guest = player.guest or false, autoAccept = player.autoAccept,
      since = player.since }))
    redis.call('SET', KEYS[1 + i], cjson.encode({ status = 'queued', timeControl = p.timeControl,
      rated = p.rated, since = player.since, autoAccept = player.autoAccept }))
  elseif held then
    redis.call('DEL', KEYS[1 + i])
  end
  out[#out + 1] = (held and requeue) and 1 or 0
  redis.call('SPUBLISH', ARGV[5 + i], cjson.encode({type = 'client/MATCHUP_CANCELLED',
    payload = {matchId = ARGV[1], reason = ARGV[2], requeued = held and requeue}}))
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[6], member)
return out
