-- Joins the unfinished task named by the in-flight key, or creates a task and names it there. The
-- in-flight key lives no longer than the task's deadline, so a lost job never blocks a book.
-- KEYS[1] in-flight key, KEYS[2] new task hash
-- ARGV[1] new task id, ARGV[2] ISBN-13, ARGV[3] now, ARGV[4] deadline, ARGV[5] retention (s),
-- ARGV[6] deadline from now (ms), ARGV[7] task key prefix
-- Returns {task id, '1' created | '0' joined}.
local existing = redis.call('GET', KEYS[1])
if existing then
  local status = redis.call('HGET', ARGV[7] .. existing, 'status')
  if status == 'pending' or status == 'running' then
    return {existing, '0'}
  end
end
redis.call('HSET', KEYS[2], 'status', 'pending', 'isbn', ARGV[2],
    'created_at', ARGV[3], 'updated_at', ARGV[3], 'deadline', ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[6])
return {ARGV[1], '1'}
