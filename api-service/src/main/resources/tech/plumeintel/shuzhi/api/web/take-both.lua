-- Takes one chat from each of two buckets, or from neither: a reader's and an address's.
-- A bucket holds its capacity and refills whole every period, counted from its first chat, as
-- Bucket4j's refillIntervally does; Redis's clock is the one clock of every API instance.
-- KEYS[1], KEYS[2] the buckets (hashes: left, start)
-- ARGV[1], ARGV[2] their capacities, ARGV[3] the period in milliseconds
-- With an admission, what the admitted request checks and opens in the same round trip:
--   KEYS[3] a number that must be below ARGV[4], checked before any bucket is taken from
--     (ARGV[4] empty: no such ceiling)
--   KEYS[4] a claim: set to ARGV[6] for ARGV[5] ms unless another holds it (ARGV[5] empty: none)
--   KEYS[5] a hash written (ARGV[8..]: fields and values) with a retention of ARGV[7] ms
-- Answers {0, 0} when both gave one (and the claim was taken, the hash written); {0, 0, holder}
-- when both gave one but the claim is held by holder (nothing written); {i, wait} when bucket i
-- refused, and refills in wait ms; {3, value} when the ceiling's number is value, at or above it.
local admission = KEYS[3] ~= nil
if admission and ARGV[4] ~= '' then
  local value = tonumber(redis.call('GET', KEYS[3]) or '0')
  if value >= tonumber(ARGV[4]) then
    return {3, value}
  end
end
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
if not admission then
  return {0, 0}
end
if ARGV[5] ~= '' then
  if not redis.call('SET', KEYS[4], ARGV[6], 'NX', 'PX', ARGV[5]) then
    return {0, 0, redis.call('GET', KEYS[4])}
  end
end
redis.call('HSET', KEYS[5], unpack(ARGV, 8))
redis.call('PEXPIRE', KEYS[5], ARGV[7])
return {0, 0}
