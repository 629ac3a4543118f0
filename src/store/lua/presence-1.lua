-- presence: one instance's part of who is on a game, and the game's crowd announced when it changes.
-- KEYS[1]  the game's presence hash: fields `<role>:<instance>` with `<state>:<ms>` values, where
--          role is white or black (state c: has a socket, refreshed at ms; d: its last socket left
--          at ms) or watchers (state: how many sockets watch there); plus `crowd` and `crowdAt`,
--          the last crowd announced and when
-- ARGV[1]  the field to set, or '' to only announce   ARGV[2] its state
-- ARGV[3]  how old a refresh may be before its instance counts as gone (it died), ms
-- ARGV[4]  how long the hash outlives its last write, ms   ARGV[5] the game's id
-- ARGV[6]  the game's event channel
-- Returns  0, or how many ms to wait before announcing again (at most one crowd a second)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. now) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])

local stale = tonumber(ARGV[3])
local crowd = {white = false, black = false, watchers = 0}
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local role = string.match(fields[i], '^(%a+):')
  local state, at = string.match(fields[i + 1], '^(%w+):(%d+)$')
  if role and at and now - tonumber(at) < stale then
    if role == 'watchers' then
      crowd.watchers = crowd.watchers + (tonumber(state) or 0)
    elseif state == 'c' and (role == 'white' or role == 'black') then
      crowd[role] = true
    end
  end
end
local sig = (crowd.white and 'w' or '-') .. (crowd.black and 'b' or '-') .. crowd.watchers
local last = redis.call('HMGET', KEYS[1], 'crowd', 'crowdAt')
if sig == last[1] then return 0 end
local since = now - (tonumber(last[2]) or 0)
if since < 1000 then return 1000 - since end
redis.call('HSET', KEYS[1], 'crowd', sig, 'crowdAt', now)
redis.call('SPUBLISH', ARGV[6], cjson.encode({type = 'client/CROWD', payload = {gameId = ARGV[5],
  white = crowd.white, black = crowd.black, watchers = crowd.watchers}}))
return 0
