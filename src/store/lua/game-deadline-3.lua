-- game-deadline: end a game whose deadline has passed (flag fall or first-move abort).
-- KEYS     as game-common (game, its deadlines bucket, event log)
-- ARGV[1]  '1' when the side to move's opponent cannot mate (the flag is then a draw)
-- ARGV[2]  the stamp (ply:takebacks) of the position the caller saw, or '' (a stale caller's view of the position must not
--          decide flag_draw: on a mismatch nothing happens and the caller reloads)
-- ARGV[3]  the game's event channel (GAME_OVER is logged and published there)
-- Returns  JSON {code = GONE} (no such game, or over), {code = CONFLICT},
--          {code = NOT_DUE, deadline} (the member is put back at the true deadline), or {code = ENDED, ...}
local g = load_game()
if not g or g.status ~= 'started' then return cjson.encode({code = 'GONE'}) end
if ARGV[2] ~= '' and stamp(g) ~= ARGV[2] then return cjson.encode({code = 'CONFLICT'}) end
local now = now_ms()
local ended = end_if_due(g, now, ARGV[1])
if ended then return cjson.encode(ended) end
redis.call('ZADD', KEYS[2], g.deadline, 'game:' .. g.id)
return cjson.encode({code = 'NOT_DUE', deadline = tonumber(g.deadline)})
