-- create-challenge: open a challenge, by username or by link, with its expiry on the deadline set;
-- client/CHALLENGE goes to the challenger's and the addressee's lobby channels in this same step.
-- KEYS[1]  the challenger's live state   KEYS[2]  the new challenge
-- KEYS[3]  the challenger's challenges made   KEYS[4]  the addressee's challenges received
--          (for a link challenge, KEYS[3] again: nothing is added to it); sorted sets of ids
--          scored by expiresAt
-- KEYS[5]  its deadlines bucket
-- ARGV[1] challengeId  ARGV[2] the stored challenge JSON  ARGV[3] the client/CHALLENGE JSON; in
--         both the string "$EXPIRES" stands for TIME + CHALLENGE_MS
-- ARGV[4] CHALLENGE_MS  ARGV[5] how many open challenges one user may have made
-- ARGV[6] the challenger's lobby channel  ARGV[7] the addressee's ('' for a link challenge)
-- Returns  {'OK', expiresAt}; {'BUSY'} when the challenger is proposed or playing;
--          {'TOO_MANY'} when the challenger already has ARGV[5] open challenges
local live = redis.call('GET', KEYS[1])
local state = live and cjson.decode(live)
if state and (state.status == 'proposed' or state.status == 'playing') then return {'BUSY'} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- Every step that ends a challenge takes it out of both sets; one past its expiresAt whose expiry
-- has not run yet no longer counts against the cap.
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then return {'TOO_MANY'} end
local expiresAt = now + tonumber(ARGV[4])
local stamp = tostring(expiresAt)
local stored = string.gsub(ARGV[2], '"%$EXPIRES"', stamp)
local event = string.gsub(ARGV[3], '"%$EXPIRES"', stamp)
redis.call('SET', KEYS[2], stored)
redis.call('ZADD', KEYS[3], expiresAt, ARGV[1])
if ARGV[7] ~= '' then redis.call('ZADD', KEYS[4], expiresAt, ARGV[1]) end
redis.call('ZADD', KEYS[5], expiresAt, 'challenge:' .. ARGV[1])
redis.call('SPUBLISH', ARGV[6], event)
if ARGV[7] ~= '' then redis.call('SPUBLISH', ARGV[7], event) end
return {'OK', expiresAt}
