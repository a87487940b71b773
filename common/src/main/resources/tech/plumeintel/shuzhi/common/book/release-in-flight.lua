-- Deletes the in-flight marker only if it still names this task: a newer task may own it now.
-- KEYS[1] in-flight key; ARGV[1] task id
-- Returns the number of keys deleted.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
