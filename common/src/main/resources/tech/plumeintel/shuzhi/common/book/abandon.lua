-- Fails a task that could not be handed to Kafka, and frees the book for the next lookup.
-- KEYS[1] task hash, KEYS[2] in-flight key
-- ARGV[1] task id, ARGV[2] error code, ARGV[3] error message, ARGV[4] now
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'status', 'failed', 'error_code', ARGV[2],
      'error_message', ARGV[3], 'updated_at', ARGV[4])
end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
return 1
