-- game-move: commit one validated move, with the clock read from Redis TIME.
-- KEYS     as game-common (game, its deadlines bucket, event log)
-- ARGV[1]  stamp (ply:takebacks) of the position the move was validated on (compare-and-set)
-- ARGV[2]  uci (king's two-square form for castling)   ARGV[3] san
-- ARGV[4]  fen after the move   ARGV[5] repetition key after the move
-- ARGV[6]  '1' when the move is irreversible (capture or pawn move): repetitions start afresh
-- ARGV[7]  rules outcome reason or ''   ARGV[8] rules outcome winner ('white', 'black' or '')
-- ARGV[9]  '1' when the mover's opponent cannot mate (so the mover's flag is a draw)
-- ARGV[10] FIRST_MOVE_MS
-- ARGV[11] the mover's lag in ms (the least of its claim and the instance's estimate): credited
--          out of the mover's quota while the clock runs (src/domain/lag.ts)
-- ARGV[12] the game's event channel: client/UPDATE_GAME (and client/GAME_OVER when the move ends
--          the game by the rules, ARGV[7] set) are logged and published there in this same step
-- Returns  JSON: {code = NOT_FOUND | GAME_OVER | CONFLICT} or {code = ENDED, ...} when the
--          mover's deadline had passed (the move is refused, the game ends on time or aborts),
--          or {code = OK, v, ply, whiteMs, blackMs, running, serverTime, drawOffer, credit,
--          ended?} (v: the UPDATE_GAME's; credit: the lag given back, ms)
local g, now, refusal = load_planned(ARGV[1], ARGV[9])
if refusal then return refusal end

local ply = tonumber(g.ply)
local mover = side_to_move(g)
local other = opposite(mover)
local ms = {white = tonumber(g.whiteMs), black = tonumber(g.blackMs)}
local running = g.running
local credit = 0
local quota_field = mover .. 'LagQuota'
local quota = nil
if running == '1' then
  -- Lag compensation: the least of the lag, the quota and the time taken (a clock never gains).
  local elapsed = now - tonumber(g.serverTime)
  local gain = lag_gain(g)
  quota = tonumber(g[quota_field]) or 3 * gain
  credit = math.max(0, math.min(tonumber(ARGV[11]) or 0, quota, elapsed))
  quota = math.min(quota - credit + gain, 7 * gain)
  -- Fischer increment, after the move; never on a side's first move (the clock was not running).
  ms[mover] = ms[mover] - elapsed + credit + tonumber(g.incrementMs)
end
local deadline
if ply == 0 then
  deadline = now + tonumber(ARGV[10])
elseif ply == 1 then
  running = '1'
  deadline = now + ms.white
else
  deadline = now + ms[other]
end

-- A move by the side an offer was made to declines it; the mover's own offer stands.
local draw_offer = g.drawOffer
if draw_offer == other then draw_offer = '' end
local function append(list, item, sep)
  if list == '' then return item end
  return list .. (sep or ' ') .. item
end
-- Repetition keys hold spaces (FEN fields), so they are separated by '|'.
local reps = ARGV[5]
if ARGV[6] ~= '1' then reps = append(g.reps, ARGV[5], '|') end

local ends = ARGV[7] ~= ''
-- A move that ends the game leaves no offer and no running clock in its UPDATE_GAME.
if ends then draw_offer = '' end
-- The quota field is written every move (unchanged before the clock runs): one HSET a move.
redis.call('HSET', KEYS[1], 'fen', ARGV[4], 'ply', ply + 1, 'moves', append(g.moves, ARGV[2]),
  'san', append(g.san, ARGV[3]), 'clocks', append(g.clocks, ms[mover]), 'reps', reps,
  'whiteMs', ms.white, 'blackMs', ms.black, 'serverTime', now, 'running', running,
  'deadline', deadline, 'drawOffer', draw_offer, 'takebackOffer', '',
  quota_field, quota or g[quota_field] or 3 * lag_gain(g))
local offer = cjson.null
if draw_offer ~= '' then offer = draw_offer end
local v = publish_event(g, 'client/UPDATE_GAME', {ply = ply + 1,
  move = {uci = ARGV[2], san = ARGV[3]}, fen = ARGV[4],
  clock = {whiteMs = ms.white, blackMs = ms.black, running = running == '1' and not ends,
    serverTime = now},
  drawOffer = offer})

local reply = {code = 'OK', v = v, ply = ply + 1, whiteMs = ms.white, blackMs = ms.black,
  running = running == '1' and not ends, serverTime = now, drawOffer = draw_offer, credit = credit}
if ends then
  g.ply = tostring(ply + 1)
  g.running = '0'
  g.whiteMs = ms.white
  g.blackMs = ms.black
  local result = '1/2-1/2'
  if ARGV[8] == 'white' then result = '1-0' elseif ARGV[8] == 'black' then result = '0-1' end
  reply.ended = end_game(g, now, result, ARGV[7], ARGV[8])
else
  redis.call('ZADD', KEYS[2], deadline, 'game:' .. g.id)
end
return cjson.encode(reply)
