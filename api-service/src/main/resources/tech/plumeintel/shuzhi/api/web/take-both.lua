-- Takes one chat from each of two buckets, or from neither: a reader's and an address's.
-- A bucket holds its capacity and refills whole every period, counted from its first chat, as
-- Bucket4j's refillIntervally does; Redis's clock is the one clock of every API instance.
-- KEYS[1], KEYS[2] the buckets (hashes: left, start)
-- ARGV[1], ARGV[2] their capacities, ARGV[3] the period in milliseconds
-- KEYS[3], if given, a hash written (ARGV[5..]: fields and values) with a retention of ARGV[4] ms
-- when both gave one: what the admitted request opens, in the same round trip; never when refused.
-- Answers {0, 0} when both gave one, else {i, wait}: bucket i refused, and refills in wait ms.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local period = tonumber(ARGV[3])
local left, start = {}, {}
for i = 1, 2 do
  local capacity = tonumber(ARGV[i])
  local state = redis.call('HMGET', KEYS[i], 'left', 'start')
  local l, s = tonumber(state[1]), tonumber(state[2])
  if l == nil or s == nil then
    l, s = capacity, now
  elseif now >= s + period then
    l, s = capacity, s + math.floor((now - s) / period) * period
  end
  left[i], start[i] = math.min(l, capacity), s
end
for i = 1, 2 do
  if left[i] < 1 then
    return {i, start[i] + period - now}
  end
end
for i = 1, 2 do
  redis.call('HSET', KEYS[i], 'left', left[i] - 1, 'start', start[i])
  -- A bucket past its period is full again: as good as none.
  redis.call('PEXPIREAT', KEYS[i], start[i] + period)
end
if KEYS[3] then
  redis.call('HSET', KEYS[3], unpack(ARGV, 5))
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
return {0, 0}
