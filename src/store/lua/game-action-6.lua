-- game-action: a draw offer, a decline or a resignation, as one atomic step.
-- KEYS     as game-common (game, deadlines, live white, live black, archive, event log)
-- ARGV[1]  ply the action was validated against (compare-and-set: flag_draw depends on it)
-- ARGV[2]  offer | decline | resign
-- ARGV[3]  the acting side (white | black)
-- ARGV[4]  '1' when the side to move's opponent cannot mate (a flag now would be a draw)
-- ARGV[5]  the game's event channel (OFFER_DRAW, DRAW_DECLINED or GAME_OVER, logged and published)
-- Returns  JSON {code = NOT_FOUND | GAME_OVER | CONFLICT | NO_DRAW_OFFER}, {code = ENDED, ...} when a
--          deadline had passed first, or {code = OK, event = offered | declined, v}, or
--          {code = OK, event = ended, ended = {...}} (agreement, resignation or abort)
local g, now, refusal = load_planned(ARGV[1], ARGV[4])
if refusal then return refusal end

local actor = ARGV[3]
local action = ARGV[2]
if action == 'offer' then
  if g.drawOffer == opposite(actor) then
    return cjson.encode({code = 'OK', event = 'ended', ended = end_game(g, now, '1/2-1/2', 'agreement', '')})
  end
  redis.call('HSET', KEYS[1], 'drawOffer', actor)
  local v = publish_event(g, 'client/OFFER_DRAW', {by = actor})
  return cjson.encode({code = 'OK', event = 'offered', v = v})
elseif action == 'decline' then
  if g.drawOffer ~= opposite(actor) then return cjson.encode({code = 'NO_DRAW_OFFER'}) end
  redis.call('HSET', KEYS[1], 'drawOffer', '')
  local v = publish_event(g, 'client/DRAW_DECLINED', {by = actor})
  return cjson.encode({code = 'OK', event = 'declined', v = v})
elseif action == 'resign' then
  -- Resigning before both sides have moved aborts: no result, unrated.
  if tonumber(g.ply) < 2 then
    return cjson.encode({code = 'OK', event = 'ended', ended = end_game(g, now, '', 'aborted', '')})
  end
  local winner = opposite(actor)
  local e = end_game(g, now, winner == 'white' and '1-0' or '0-1', 'resign', winner)
  return cjson.encode({code = 'OK', event = 'ended', ended = e})
end
return redis.error_reply('unknown action ' .. action)
