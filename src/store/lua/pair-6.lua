-- pair: take two queued players of one pool out of the queue and propose them a match, in one
-- step, so that no player can be in two proposals. autoAccept players have accepted at once.
-- KEYS[1]  the pool's queue   KEYS[2]  the pool's queue entries
-- KEYS[3]  live state of player a   KEYS[4]  live state of player b
-- KEYS[5]  the new proposal   KEYS[6]  its deadlines bucket
-- ARGV[1] a  ARGV[2] b  ARGV[3] matchId  ARGV[4] timeControl  ARGV[5] rated (1|0)  ARGV[6] PROPOSAL_MS
-- ARGV[7] a's lobby channel  ARGV[8] b's lobby channel: each gets its client/PROPOSE_MATCHUP
--         (the other player as opponent) in this same step
-- Returns  {'OK', proposal JSON}; {'SKIP'} when either player is no longer queued in this pool
local rated = ARGV[5] == '1'
local ids = {ARGV[1], ARGV[2]}
local entries = {}
for i, id in ipairs(ids) do
  local raw = redis.call('GET', KEYS[2 + i])
  if not raw then return {'SKIP'} end
  local state = cjson.decode(raw)
  if state.status ~= 'queued' or state.timeControl ~= ARGV[4] or state.rated ~= rated then
    return {'SKIP'}
  end
  local entry = redis.call('HGET', KEYS[2], id)
  if not entry or not redis.call('ZSCORE', KEYS[1], id) then return {'SKIP'} end
  entries[i] = cjson.decode(entry)
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expiresAt = now + tonumber(ARGV[6])
local proposal = { matchId = ARGV[3], timeControl = ARGV[4], rated = rated, expiresAt = expiresAt,
  players = {} }
for i, id in ipairs(ids) do
  local e = entries[i]
  proposal.players[id] = { username = e.username, rating = math.floor(e.rating + 0.5),
    accepted = e.autoAccept, autoAccept = e.autoAccept, since = e.since, guest = e.guest }
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('SET', KEYS[2 + i], cjson.encode({ status = 'proposed', matchId = ARGV[3],
    timeControl = ARGV[4], rated = rated, since = e.since, autoAccept = e.autoAccept }))
end
local json = cjson.encode(proposal)
redis.call('SET', KEYS[5], json)
redis.call('ZADD', KEYS[6], expiresAt, 'proposal:' .. ARGV[3])
for i, id in ipairs(ids) do
  local opponent = proposal.players[ids[3 - i]]
  redis.call('SPUBLISH', ARGV[6 + i], cjson.encode({type = 'client/PROPOSE_MATCHUP', payload = {
    matchId = ARGV[3], timeControl = ARGV[4], rated = rated,
    opponent = {username = opponent.username, rating = opponent.rating},
    expiresAt = expiresAt}}))
end
return {'OK', json}
