-- game-takeback: an accepted takeback proposal, as one atomic step: the game returns to the
-- position before the proposer's last move, computed by the instance from the moves it loaded at
-- ARGV[1] (the compare-and-set makes them the truth), with the clocks as they were then.
-- KEYS     as game-common (game, its deadlines bucket, event log)
-- ARGV[1]  stamp (ply:takebacks) of the position it was planned on
-- ARGV[2]  the accepting side (the proposer's opponent)
-- ARGV[3]  '1' when the side to move's opponent cannot mate (as for end_if_due)
-- ARGV[4]  the ply to return to   ARGV[5] its FEN   ARGV[6] its repetition keys ('|'-separated)
-- ARGV[7]  moves (UCI, space-separated)   ARGV[8] san   ARGV[9] clocks, all cut to ARGV[4]
-- ARGV[10] white's ms   ARGV[11] black's ms (each side's clock right after its last kept move)
-- ARGV[12] FIRST_MOVE_MS   ARGV[13] the game's event channel (client/TAKEBACK)
-- Returns  JSON {code = NOT_FOUND | GAME_OVER | CONFLICT | NO_TAKEBACK_OFFER}, {code = ENDED, ...}
--          when a deadline had passed first, or {code = OK, v, ply}
local g, now, refusal = load_planned(ARGV[1], ARGV[3])
if refusal then return refusal end
if g.takebackOffer ~= opposite(ARGV[2]) then return cjson.encode({code = 'NO_TAKEBACK_OFFER'}) end

local ply = tonumber(ARGV[4])
local ms = {white = tonumber(ARGV[10]), black = tonumber(ARGV[11])}
-- From the position taken back to, the side to move runs, as after any move; before both first
-- moves no clock runs and the side to move has FIRST_MOVE_MS again.
local running = '0'
local deadline = now + tonumber(ARGV[12])
if ply >= 2 then
  running = '1'
  deadline = now + ms[ply % 2 == 0 and 'white' or 'black']
end
redis.call('HSET', KEYS[1], 'ply', ply, 'fen', ARGV[5], 'reps', ARGV[6], 'moves', ARGV[7],
  'san', ARGV[8], 'clocks', ARGV[9], 'whiteMs', ms.white, 'blackMs', ms.black,
  'serverTime', now, 'running', running, 'deadline', deadline, 'drawOffer', '',
  'takebackOffer', '', 'takebacks', tonumber(g.takebacks or '0') + 1)
redis.call('ZADD', KEYS[2], deadline, 'game:' .. g.id)
local v = publish_event(g, 'client/TAKEBACK', {ply = ply, fen = ARGV[5],
  clock = {whiteMs = ms.white, blackMs = ms.black, running = running == '1', serverTime = now}})
return cjson.encode({code = 'OK', v = v, ply = ply})
