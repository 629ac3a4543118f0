-- game-action: a draw offer or decline, a resignation, extra time, a takeback proposal or decline,
-- or a claim of an abandoned game, as one atomic step.
-- KEYS     as game-common (game, its deadlines bucket, event log), and
--          KEYS[4] the game's presence hash (src/realtime/presence.ts: who has a socket on it)
-- ARGV[1]  stamp (ply:takebacks) of the position the action was validated on (compare-and-set:
--          flag_draw depends on it)
-- ARGV[2]  offer | decline | resign | give | takeback | decline-takeback | claim
-- ARGV[3]  the acting side (white | black)
-- ARGV[4]  '1' when the side to move's opponent cannot mate (a flag now would be a draw)
-- ARGV[5]  '1' when the acting side cannot mate (its claim is a draw)
-- ARGV[6]  how long the opponent must have been gone before a claim (ms)
-- ARGV[7]  how old a presence refresh may be before its instance counts as gone (ms)
-- ARGV[8]  the game's event channel (each event is logged and published there)
-- Returns  JSON {code = NOT_FOUND | GAME_OVER | CONFLICT | NO_DRAW_OFFER | RATE_LIMITED |
--          NO_TAKEBACK_OFFER | NO_MOVE_TO_TAKE_BACK | OPPONENT_PRESENT}, {code = ENDED, ...} when a
--          deadline had passed first, {code = OK, event = offered | declined | clock |
--          takeback-offered | takeback-declined | pending, v}, or {code = OK, event = ended,
--          ended = {...}} (agreement, resignation, abort or abandonment)
local g, now, refusal = load_planned(ARGV[1], ARGV[4])
if refusal then return refusal end

local actor = ARGV[3]
local other = opposite(actor)
local action = ARGV[2]
local ply = tonumber(g.ply)
local function ok(event, v) return cjson.encode({code = 'OK', event = event, v = v}) end
local function refuse(code, extra)
  local reply = extra or {}
  reply.code = code
  return cjson.encode(reply)
end

-- How much extra time one press gives, how often a side may press, and the receiver's ceiling.
local GIVE_MS = 15000
local GIVE_EVERY_MS = 300
local GIVE_CEILING_MS = 2 * 3600 * 1000
-- After the n-th declined takeback proposal a side waits n² × 10 s (n counted up to 10).
local TAKEBACK_WAIT_MS = 10000
local TAKEBACK_MAX_DECLINES = 10

if action == 'offer' then
  if g.drawOffer == other then
    return cjson.encode({code = 'OK', event = 'ended', ended = end_game(g, now, '1/2-1/2', 'agreement', '')})
  end
  redis.call('HSET', KEYS[1], 'drawOffer', actor)
  return ok('offered', publish_event(g, 'client/OFFER_DRAW', {by = actor}))
elseif action == 'decline' then
  if g.drawOffer ~= other then return refuse('NO_DRAW_OFFER') end
  redis.call('HSET', KEYS[1], 'drawOffer', '')
  return ok('declined', publish_event(g, 'client/DRAW_DECLINED', {by = actor}))
elseif action == 'resign' then
  -- Resigning before both sides have moved aborts: no result, unrated.
  if ply < 2 then
    return cjson.encode({code = 'OK', event = 'ended', ended = end_game(g, now, '', 'aborted', '')})
  end
  local winner = other
  local e = end_game(g, now, winner == 'white' and '1-0' or '0-1', 'resign', winner)
  return cjson.encode({code = 'OK', event = 'ended', ended = e})
elseif action == 'give' then
  if now - (tonumber(g[actor .. 'GaveAt']) or 0) < GIVE_EVERY_MS then
    return refuse('RATE_LIMITED', {message = 'Time can be given once every 300 ms.'})
  end
  local field = other .. 'Ms'
  local ms = tonumber(g[field])
  local left = ms
  local to_move = side_to_move(g) == other
  if g.running == '1' and to_move then left = ms - (now - tonumber(g.serverTime)) end
  if left >= GIVE_CEILING_MS then
    return refuse('RATE_LIMITED', {message = 'Your opponent has two hours or more already.'})
  end
  -- The clock is "ms at serverTime": 15 s more now is 15 s more at serverTime too.
  ms = ms + GIVE_MS
  g[field] = ms
  redis.call('HSET', KEYS[1], field, ms, actor .. 'GaveAt', now)
  if g.running == '1' and to_move then
    local deadline = tonumber(g.deadline) + GIVE_MS
    redis.call('HSET', KEYS[1], 'deadline', deadline)
    redis.call('ZADD', KEYS[2], deadline, 'game:' .. g.id)
  end
  return ok('clock', publish_event(g, 'client/UPDATE_CLOCK', {clock = {
    whiteMs = tonumber(g.whiteMs), blackMs = tonumber(g.blackMs), running = g.running == '1',
    serverTime = tonumber(g.serverTime)}}))
elseif action == 'takeback' then
  -- The opponent's proposal pending: this is an acceptance, which the takeback script commits.
  if g.takebackOffer == other then return refuse('CONFLICT') end
  if g.takebackOffer == actor then return ok('pending', tonumber(g.v)) end
  if ply < (actor == 'white' and 1 or 2) then return refuse('NO_MOVE_TO_TAKE_BACK') end
  local wait_until = tonumber(g[actor .. 'TakebackAt']) or 0
  if now < wait_until then
    return refuse('RATE_LIMITED', {message = 'Your last proposal was declined: wait ' ..
      math.ceil((wait_until - now) / 1000) .. ' s.', retryAt = wait_until})
  end
  redis.call('HSET', KEYS[1], 'takebackOffer', actor)
  return ok('takeback-offered', publish_event(g, 'client/TAKEBACK_OFFERED', {by = actor}))
elseif action == 'decline-takeback' then
  if g.takebackOffer ~= other then return refuse('NO_TAKEBACK_OFFER') end
  local declines = math.min((tonumber(g[other .. 'TakebackDeclines']) or 0) + 1, TAKEBACK_MAX_DECLINES)
  redis.call('HSET', KEYS[1], 'takebackOffer', '', other .. 'TakebackDeclines', declines,
    other .. 'TakebackAt', now + declines * declines * TAKEBACK_WAIT_MS)
  return ok('takeback-declined', publish_event(g, 'client/TAKEBACK_DECLINED', {by = actor}))
elseif action == 'claim' then
  if ply < 2 then return refuse('OPPONENT_PRESENT', {message = 'Both sides must have moved first.'}) end
  -- The opponent is present while one instance holds a socket of it and still refreshes that;
  -- gone since its last disconnection or last refresh otherwise (or since the game began).
  local gone_since = nil
  local fields = redis.call('HGETALL', KEYS[4])
  local prefix = other .. ':'
  for i = 1, #fields, 2 do
    if string.sub(fields[i], 1, #prefix) == prefix then
      local state, at = string.match(fields[i + 1], '^(%a):(%d+)$')
      at = tonumber(at)
      if state == 'c' and at and now - at < tonumber(ARGV[7]) then
        return refuse('OPPONENT_PRESENT')
      end
      if at and (gone_since == nil or at > gone_since) then gone_since = at end
    end
  end
  gone_since = gone_since or tonumber(redis.call('HGET', KEYS[1], 'createdAt'))
  local claimable = gone_since + tonumber(ARGV[6])
  if now < claimable then return refuse('OPPONENT_PRESENT', {waitMs = claimable - now}) end
  if ARGV[5] == '1' then
    return cjson.encode({code = 'OK', event = 'ended', ended = end_game(g, now, '1/2-1/2', 'abandoned', '')})
  end
  local e = end_game(g, now, actor == 'white' and '1-0' or '0-1', 'abandoned', actor)
  return cjson.encode({code = 'OK', event = 'ended', ended = e})
end
return redis.error_reply('unknown action ' .. action)
