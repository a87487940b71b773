-- Writes fields of a task only if its hash still exists (an expired task is not brought back, and
-- its TTL stays the API's) and its status is one the step may follow.
-- KEYS[1] task hash
-- ARGV[1] allowed current statuses, comma-separated; ARGV[2..] field, value, ...
-- Returns 1 written, 0 no such task, -1 refused (the task is in another status).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local status = redis.call('HGET', KEYS[1], 'status')
for allowed in string.gmatch(ARGV[1], '[^,]+') do
  if allowed == status then
    redis.call('HSET', KEYS[1], unpack(ARGV, 2))
    return 1
  end
end
return -1
