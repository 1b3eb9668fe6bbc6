// Lua scripts of RedisStorage. Each runs atomically inside Redis, so every state transition of a
// trial (claim, finish, fail as stale) happens exactly once whatever the number of workers. Time
// comes from the server (TIME), so heartbeats do not depend on the workers' clocks. Values are
// JSON strings made by the client; the scripts only compare and copy them (no Lua number
// round-trips, so float64 values keep full precision).
//
// The client retries a script whose reply was lost with the connection (it may have run or not),
// so every script is safe to run twice: the ones that create or claim something take a request
// key (`<prefix>:req:<random token>`, expiring after a day) holding the first run's answer, which a
// second run returns; finishing records its token on the trial (`finishedBy`); setting a
// parameter, a field or a heartbeat writes the same values again. Scripts that need a study or a
// trial answer NO_STUDY / NO_TRIAL when it is missing (never created, or lost by a server
// restarted without persistence) instead of creating it.

/** Server time in ms. */
const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** Seconds a request key keeps the answer of its script. */
const REQUEST_TTL = 86400;

/** KEYS: studies hash, request key. ARGV: name, directions (comma-joined), studyJSON, loadIfExists(0/1). Returns the stored study JSON. */
export const CREATE_STUDY = `
local done = redis.call('GET', KEYS[2])
if done then return done end
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then
  if ARGV[4] ~= '1' then return redis.error_reply('STUDY_EXISTS') end
  local d = cjson.decode(existing)
  local stored = d.direction
  if d.directions then stored = table.concat(d.directions, ',') end
  if stored ~= ARGV[2] then return redis.error_reply('DIRECTION_MISMATCH:' .. stored) end
  return existing
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[3], 'EX', ${REQUEST_TTL})
return ARGV[3]`;

/**
 * Lua that pops the oldest trial of the `waiting` list still in state waiting, marks it running for
 * ARGV[2] (trial keys are ARGV[3] .. id), adds it to the `running` set, remembers the answer under
 * the `request` key and returns its id; falls through when none waits (needs \`now\`).
 */
const claimOldestWaiting = (waiting: string, running: string, request: string) => `local id = redis.call('LPOP', ${waiting})
while id do
  local key = ARGV[3] .. id
  if redis.call('HGET', key, 'state') == 'waiting' then
    redis.call('HSET', key, 'state', 'running', 'worker', ARGV[2], 'startedAt', now, 'heartbeatAt', now)
    redis.call('SADD', ${running}, id)
    redis.call('SET', ${request}, id, 'EX', ${REQUEST_TTL})
    return id
  end
  id = redis.call('LPOP', ${waiting})
end`;

/**
 * KEYS: trials list, waiting list, running set, studies hash, request key. ARGV: study, worker,
 * trial key prefix. Claims the oldest waiting trial or creates the next one; returns its id.
 */
export const START_TRIAL = `
local done = redis.call('GET', KEYS[5])
if done then return done end
if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 0 then return redis.error_reply('NO_STUDY') end
${NOW}
${claimOldestWaiting('KEYS[2]', 'KEYS[3]', 'KEYS[5]')}
local n = redis.call('LLEN', KEYS[1])
id = ARGV[1] .. '#' .. n
redis.call('HSET', ARGV[3] .. id, 'id', id, 'number', n, 'study', ARGV[1], 'state', 'running', 'worker', ARGV[2], 'startedAt', now, 'heartbeatAt', now)
redis.call('RPUSH', KEYS[1], id)
redis.call('SADD', KEYS[3], id)
redis.call('SET', KEYS[5], id, 'EX', ${REQUEST_TTL})
return id`;

/**
 * KEYS: waiting list, running set, studies hash, request key. ARGV: study, worker, trial key
 * prefix. Claims the oldest waiting trial and returns its id, or false when none waits (nothing
 * is created, and a retried run of an empty claim claims afresh).
 */
export const CLAIM_WAITING = `
local done = redis.call('GET', KEYS[4])
if done then return done end
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then return redis.error_reply('NO_STUDY') end
${NOW}
${claimOldestWaiting('KEYS[1]', 'KEYS[2]', 'KEYS[4]')}
return false`;

/**
 * KEYS: trials list, waiting list, studies hash, request key. ARGV: study, trial key prefix,
 * retryOf ('' for none), then triples (kind, field, json) with kind p (param), d (distribution),
 * s (system attr). Returns the id.
 */
export const ENQUEUE_TRIAL = `
local done = redis.call('GET', KEYS[4])
if done then return done end
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then return redis.error_reply('NO_STUDY') end
local n = redis.call('LLEN', KEYS[1])
local id = ARGV[1] .. '#' .. n
local key = ARGV[2] .. id
redis.call('HSET', key, 'id', id, 'number', n, 'study', ARGV[1], 'state', 'waiting')
if ARGV[3] ~= '' then redis.call('HSET', key, 'retryOf', ARGV[3]) end
local sub = { p = ':params', d = ':dists', s = ':sattr' }
for i = 4, #ARGV, 3 do redis.call('HSET', key .. sub[ARGV[i]], ARGV[i + 1], ARGV[i + 2]) end
redis.call('RPUSH', KEYS[1], id)
redis.call('RPUSH', KEYS[2], id)
redis.call('SET', KEYS[4], id, 'EX', ${REQUEST_TTL})
return id`;

/** KEYS: trial key. ARGV: name, value JSON, distribution JSON. */
export const SET_PARAM = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return redis.error_reply('NO_TRIAL') end
if state ~= 'running' then return redis.error_reply('NOT_RUNNING:' .. state) end
local old = redis.call('HGET', KEYS[1] .. ':params', ARGV[1])
if old and old ~= ARGV[2] then return redis.error_reply('PARAM_CONFLICT:' .. old) end
local oldD = redis.call('HGET', KEYS[1] .. ':dists', ARGV[1])
if oldD and oldD ~= ARGV[3] then return redis.error_reply('DISTRIBUTION_CONFLICT:' .. oldD) end
redis.call('HSET', KEYS[1] .. ':params', ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1] .. ':dists', ARGV[1], ARGV[3])
return 1`;

/** KEYS: trial key. ARGV: sub-hash suffix (':inter', ':uattr', ':sattr'), field, JSON. Only while running (attrs: any state). */
export const SET_FIELD = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return redis.error_reply('NO_TRIAL') end
if ARGV[1] == ':inter' and state ~= 'running' then return redis.error_reply('NOT_RUNNING:' .. state) end
redis.call('HSET', KEYS[1] .. ARGV[1], ARGV[2], ARGV[3])
return 1`;

/** KEYS: trial key. */
export const HEARTBEAT = `
${NOW}
if redis.call('HGET', KEYS[1], 'state') == 'running' then redis.call('HSET', KEYS[1], 'heartbeatAt', now) end
return 1`;

/**
 * KEYS: trial key, running set. ARGV: id, state, value JSON or '', error or '', values JSON or '',
 * request token. A second run with the same token (a retry whose first reply was lost) succeeds.
 */
export const FINISH_TRIAL = `
${NOW}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return redis.error_reply('NO_TRIAL') end
if state ~= 'running' then
  if state == ARGV[2] and redis.call('HGET', KEYS[1], 'finishedBy') == ARGV[6] then return 1 end
  return redis.error_reply('NOT_RUNNING:' .. state)
end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'completedAt', now, 'finishedBy', ARGV[6])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'value', ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[4]) end
if ARGV[5] and ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'values', ARGV[5]) end
redis.call('SREM', KEYS[2], ARGV[1])
return 1`;

/**
 * KEYS: trials list, waiting list, running set, studies hash. ARGV: study, trial key prefix,
 * graceMs, retry (0/1). Fails running trials of the study whose heartbeat is older than graceMs
 * and enqueues one retry of each; returns the failed ids (a second run fails nothing more).
 */
export const FAIL_STALE = `
if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 0 then return redis.error_reply('NO_STUDY') end
${NOW}
local failed = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local key = ARGV[2] .. id
  local beat = tonumber(redis.call('HGET', key, 'heartbeatAt') or '0')
  if redis.call('HGET', key, 'state') == 'running' and now - beat > tonumber(ARGV[3]) then
    redis.call('HSET', key, 'state', 'fail', 'completedAt', now, 'error', 'worker lost: no heartbeat for ' .. (now - beat) .. ' ms')
    redis.call('SREM', KEYS[3], id)
    table.insert(failed, id)
    if ARGV[4] == '1' then
      local n = redis.call('LLEN', KEYS[1])
      local rid = ARGV[1] .. '#' .. n
      local rkey = ARGV[2] .. rid
      redis.call('HSET', rkey, 'id', rid, 'number', n, 'study', ARGV[1], 'state', 'waiting', 'retryOf', redis.call('HGET', key, 'number'))
      for _, sub in ipairs({ ':params', ':dists' }) do
        local kv = redis.call('HGETALL', key .. sub)
        if #kv > 0 then redis.call('HSET', rkey .. sub, unpack(kv)) end
      end
      redis.call('RPUSH', KEYS[1], rid)
      redis.call('RPUSH', KEYS[2], rid)
    end
  end
end
return failed`;
