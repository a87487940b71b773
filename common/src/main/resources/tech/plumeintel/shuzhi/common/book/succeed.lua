-- The end of a successful job in one round trip, on the job's critical path: the task succeeds
-- (if advance.lua would let it), the claim on the book is released if it is still this task's,
-- and the book is no longer remembered as missing, since it is held now.
-- KEYS[1] task hash, KEYS[2] in-flight key, KEYS[3] missing key
-- ARGV[1] task id, ARGV[2] now
-- Returns 1 succeeded, 0 no such task, -1 refused (the task had already ended).
redis.call('DEL', KEYS[3])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'pending' and status ~= 'running' then return -1 end
redis.call('HSET', KEYS[1], 'status', 'succeeded', 'updated_at', ARGV[2])
return 1
