-- game-common: functions shared by the game-*.lua scripts (prepended at load time, not run alone).
-- Every game script takes the same three KEYS, all in the game's Redis Cluster slot:
--   KEYS[1] game hash   KEYS[2] the deadlines bucket of the game (store/buckets.ts)
--   KEYS[3] the game's event log (list)
-- and the game's event channel as its last ARGV.
local FIELDS = {'id', 'v', 'ply', 'status', 'deadline', 'running', 'serverTime',
  'whiteMs', 'blackMs', 'initialMs', 'incrementMs', 'drawOffer', 'moves', 'san', 'clocks', 'reps',
  'whiteLagQuota', 'blackLagQuota', 'whiteGaveAt', 'blackGaveAt', 'takebackOffer',
  'whiteTakebackDeclines', 'blackTakebackDeclines', 'whiteTakebackAt', 'blackTakebackAt',
  'takebacks'}

-- How many of a game's last events are kept for catching up (lichess keeps 20). A socket further
-- behind than this gets the whole game instead.
local LOG_LENGTH = 30
local CHANNEL = ARGV[#ARGV]

-- Gives the event the game's next version, appends it to the log and publishes it, all in the
-- step that commits it: no crash can fall between the commit and the delivery (DESIGN 5).
local function publish_event(g, type, payload)
  local v = redis.call('HINCRBY', KEYS[1], 'v', 1)
  payload.gameId = g.id
  payload.v = v
  local json = cjson.encode({type = type, payload = payload})
  redis.call('RPUSH', KEYS[3], json)
  redis.call('LTRIM', KEYS[3], -LOG_LENGTH, -1)
  redis.call('SPUBLISH', CHANNEL, json)
  return v
end

local function load_game()
  local values = redis.call('HMGET', KEYS[1], unpack(FIELDS))
  if not values[1] then return nil end
  local g = {}
  for i, name in ipairs(FIELDS) do g[name] = values[i] end
  return g
end

-- Redis TIME in ms: the one clock every instance agrees on.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Lag compensation (src/domain/lag.ts): what each move adds to a side's quota.
local function lag_gain(g)
  local gain = (tonumber(g.initialMs) + 40 * tonumber(g.incrementMs)) * 0.004 + 150
  return math.min(1000, math.floor(gain + 0.5))
end

-- The position a step was planned on, as the instance names it (positionStamp in
-- src/domain/game.ts): a takeback lowers the ply, so the ply alone could name two positions.
local function stamp(g)
  return g.ply .. ':' .. (g.takebacks or '0')
end

local function side_to_move(g)
  if tonumber(g.ply) % 2 == 0 then return 'white' end
  return 'black'
end

local function opposite(color)
  if color == 'white' then return 'black' end
  return 'white'
end

-- How long the follow-up of an ended game waits for the instance that ended it before any
-- instance's deadline poller takes it over (store/game-end.ts).
local FOLLOW_UP_MS = 5000

-- Ends the game: freezes the clock, clears its deadline, and schedules its follow-up in its own
-- bucket, `ended:<id>` (freeing both players and queueing the archive happen in their own slots,
-- store/game-end.ts). Returns the reply every script gives for an end.
local function end_game(g, now, result, reason, winner)
  local updates = {'status', 'ended', 'result', result, 'reason', reason, 'winner', winner,
    'endedAt', now, 'running', '0', 'drawOffer', '', 'serverTime', now}
  local ms = {whiteMs = tonumber(g.whiteMs), blackMs = tonumber(g.blackMs)}
  if g.running == '1' then
    local side = side_to_move(g) .. 'Ms'
    ms[side] = math.max(0, ms[side] - (now - tonumber(g.serverTime)))
    if reason == 'timeout' then ms[side] = 0 end
    updates[#updates + 1] = side
    updates[#updates + 1] = ms[side]
  end
  redis.call('HSET', KEYS[1], unpack(updates))
  -- The rating change of each possible result was computed at game start (TypeScript holds the
  -- Glicko-2 arithmetic); an unrated or aborted game changes nothing.
  local rating_diff = cjson.null
  local diffs = redis.call('HGET', KEYS[1], 'ratingDiffs')
  if result ~= '' and diffs and diffs ~= '' then
    rating_diff = cjson.decode(diffs)[result] or cjson.null
  end
  local function or_null(s) if s == '' then return cjson.null end return s end
  local v = publish_event(g, 'client/GAME_OVER', {result = or_null(result), reason = reason,
    winner = or_null(winner), ratingDiff = rating_diff})
  redis.call('ZREM', KEYS[2], 'game:' .. g.id)
  redis.call('ZADD', KEYS[2], now + FOLLOW_UP_MS, 'ended:' .. g.id)
  return {code = 'ENDED', v = v, ply = tonumber(g.ply), result = result, reason = reason,
    winner = winner, endedAt = now, whiteMs = ms.whiteMs, blackMs = ms.blackMs}
end

-- The side to move ran out of its deadline: before both first moves the game is aborted;
-- after, it loses on time, or draws when `flag_draw` says its opponent cannot mate.
local function end_if_due(g, now, flag_draw)
  if now < tonumber(g.deadline) then return nil end
  if tonumber(g.ply) < 2 then return end_game(g, now, '', 'aborted', '') end
  if flag_draw == '1' then return end_game(g, now, '1/2-1/2', 'timeout', '') end
  local winner = opposite(side_to_move(g))
  return end_game(g, now, winner == 'white' and '1-0' or '0-1', 'timeout', winner)
end

-- The live game a player's step was planned on, with Redis TIME in ms; or, as a third value, the
-- reply that refuses the step: no such game, over, moved on since (CONFLICT: `planned`, the
-- stamp of the position it was planned on, is not the game's now), or ended right now because its
-- deadline had passed (`flag_draw` as for end_if_due).
local function load_planned(planned, flag_draw)
  local g = load_game()
  if not g then return nil, nil, cjson.encode({code = 'NOT_FOUND'}) end
  if g.status ~= 'started' then return nil, nil, cjson.encode({code = 'GAME_OVER'}) end
  if stamp(g) ~= planned then return nil, nil, cjson.encode({code = 'CONFLICT'}) end
  local now = now_ms()
  local ended = end_if_due(g, now, flag_draw)
  if ended then return nil, nil, cjson.encode(ended) end
  return g, now, nil
end
