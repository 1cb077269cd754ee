/**
 * Lua scripts for the ledger. Each touches keys of one tenant only (one hash tag), so they run on
 * Redis Cluster too. Scripts do compare-and-set on versions; the decisions themselves are made by
 * the pure domain in TypeScript, so there is one source of truth for the rules.
 */

/**
 * Replace a ticket's stored state if its version is still the one read, and move its request
 * between pools. Every pool it changes gets a new version and the stamp ARGV[10] (a token unique to
 * this write: see READ_POOL).
 * KEYS: 1 ticket hash, 2 old pool requests hash, 3 new pool requests hash, 4 pool versions hash, 5 pools set,
 *       6 dirty pools set (pools whose outcome must be recomputed), 7 pool stamps hash
 * ARGV: 1 expected version, 2 state JSON, 3 ticket id, 4 old pool id ('' = none), 5 new pool id ('' = none),
 *       6 new request JSON, 7 ticket key, 8 excluded reason, 9 ttl seconds for the ticket hash (0 = keep),
 *       10 stamp
 * Returns -1 when the version moved on (caller re-reads and decides again), else
 * {new ticket version, old pool's version before, its stamp before, its version after,
 *  new pool's version before, its stamp before, its version after} (pool fields nil for no pool;
 * when both pools are one pool, both report it before and after the whole change).
 */
export const CAS_TICKET = `
local ver = redis.call('HGET', KEYS[1], 'ver') or '0'
if ver ~= ARGV[1] then return -1 end
local nextVer = tonumber(ver) + 1
local oldVer, oldStamp, newVer, newStamp = false, false, false, false
if ARGV[4] ~= '' then
  oldVer = redis.call('HGET', KEYS[4], ARGV[4]) or '0'
  oldStamp = redis.call('HGET', KEYS[7], ARGV[4])
end
if ARGV[5] ~= '' then
  newVer = redis.call('HGET', KEYS[4], ARGV[5]) or '0'
  newStamp = redis.call('HGET', KEYS[7], ARGV[5])
end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'ver', nextVer, 'key', ARGV[7], 'excluded', ARGV[8])
if ARGV[4] ~= '' then
  redis.call('HDEL', KEYS[2], ARGV[3])
  redis.call('HINCRBY', KEYS[4], ARGV[4], 1)
  redis.call('HSET', KEYS[7], ARGV[4], ARGV[10])
  redis.call('SADD', KEYS[6], ARGV[4])
end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[3], ARGV[6])
  redis.call('HINCRBY', KEYS[4], ARGV[5], 1)
  redis.call('HSET', KEYS[7], ARGV[5], ARGV[10])
  redis.call('SADD', KEYS[5], ARGV[5])
  redis.call('SADD', KEYS[6], ARGV[5])
end
if ARGV[9] ~= '0' then
  redis.call('EXPIRE', KEYS[1], ARGV[9])
else
  redis.call('PERSIST', KEYS[1])
end
local oldAfter, newAfter = false, false
if ARGV[4] ~= '' then oldAfter = redis.call('HGET', KEYS[4], ARGV[4]) end
if ARGV[5] ~= '' then newAfter = redis.call('HGET', KEYS[4], ARGV[5]) end
return {nextVer, oldVer, oldStamp, oldAfter, newVer, newStamp, newAfter}
`;

/**
 * Store a pool's admission outcome if the pool has not changed since it was read, with the stamp
 * ARGV[4] (unique to this commit: see READ_POOL), as parts (see KeySpace.poolOutcomeParts).
 * A delta (ARGV[6] = the stamp of the outcome it was computed against) rewrites only the entries
 * given, and only if that outcome is still the stored one; a whole outcome (ARGV[6] = '') replaces
 * the parts. The legacy single-string outcome is dropped. The pool leaves the dirty set: its
 * write-backs were enqueued before this commit.
 * KEYS: 1 pool versions hash, 2 outcome parts hash, 3 dirty pools set, 4 outcome stamps hash,
 *       5 legacy outcome key
 * ARGV: 1 pool id, 2 expected version, 3 head JSON, 4 stamp, 5 number of entries,
 *       6 base outcome stamp ('' = whole), 7.. index, entry JSON, index, entry JSON, ...
 * Returns 1 when stored, 0 when the pool moved on (recompute and try again), 2 when a delta's base
 * is no longer the stored outcome (send it whole).
 */
export const COMMIT_OUTCOME = `
local v = redis.call('HGET', KEYS[1], ARGV[1]) or '0'
if v ~= ARGV[2] then return 0 end
local n = tonumber(ARGV[5])
if ARGV[6] ~= '' then
  if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[6] or redis.call('EXISTS', KEYS[2]) == 0 then return 2 end
  local old = tonumber(redis.call('HGET', KEYS[2], 'n') or '0')
  for i = n, old - 1 do redis.call('HDEL', KEYS[2], tostring(i)) end
else
  redis.call('DEL', KEYS[2])
end
redis.call('HSET', KEYS[2], 'h', ARGV[3], 'n', ARGV[5])
for i = 7, #ARGV, 400 do
  redis.call('HSET', KEYS[2], unpack(ARGV, i, math.min(i + 399, #ARGV)))
end
redis.call('DEL', KEYS[5])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
redis.call('SREM', KEYS[3], ARGV[1])
return 1
`;

/**
 * Read a pool at one instant, leaving out what the caller already holds: its requests and settings
 * when the pool is still at the version and stamp the caller knows, its stored outcome when that is
 * still at the outcome stamp the caller knows. Stamps are tokens unique to each write (CAS_TICKET,
 * COMMIT_OUTCOME, LedgerStore.setPoolSettings), so unlike versions they never repeat, even when Redis
 * lost its last writes; a pool or outcome without a stamp (written before stamps) is always read.
 * KEYS: 1 pool requests hash, 2 pool settings hash, 3 pool versions hash, 4 pool stamps hash,
 *       5 outcome parts hash, 6 outcome stamps hash, 7 legacy outcome key
 * ARGV: 1 pool id, 2 known version, 3 known stamp ('' = none), 4 known outcome stamp ('' = none)
 * Returns {version, stamp, outcome stamp, settings JSON, flat requests (field, value, ...), outcome};
 * requests and settings are nil when left out (an empty pool's requests are an empty array); the
 * outcome is nil when left out or absent, the flat parts (field, value, ...) when stored in parts,
 * or the legacy outcome's JSON string.
 */
export const READ_POOL = `
local ver = redis.call('HGET', KEYS[3], ARGV[1]) or '0'
local stamp = redis.call('HGET', KEYS[4], ARGV[1])
local ostamp = redis.call('HGET', KEYS[6], ARGV[1])
local settings, reqs, outcome = false, false, false
if (not stamp) or stamp ~= ARGV[3] or ver ~= ARGV[2] then
  settings = redis.call('HGET', KEYS[2], ARGV[1])
  reqs = redis.call('HGETALL', KEYS[1])
end
if (not ostamp) or ostamp ~= ARGV[4] then
  outcome = redis.call('HGETALL', KEYS[5])
  if #outcome == 0 then outcome = redis.call('GET', KEYS[7]) end
end
return {ver, stamp, ostamp, settings, reqs, outcome}
`;

/**
 * A pool's figures as last committed, without its requests or entries: its version, settings and
 * the outcome's head (KeySpace.poolOutcomeParts `h`; the legacy outcome's whole JSON when it was
 * stored whole). The caller compares the outcome's version with the pool's to know it is current.
 * KEYS: 1 pool settings hash, 2 pool versions hash, 3 outcome parts hash, 4 legacy outcome key
 * ARGV: 1 pool id
 * Returns {version, settings JSON, outcome head JSON, legacy outcome JSON}.
 */
export const READ_POOL_FIGURES = `
local ver = redis.call('HGET', KEYS[2], ARGV[1]) or '0'
local settings = redis.call('HGET', KEYS[1], ARGV[1])
local head = redis.call('HGET', KEYS[3], 'h')
local legacy = false
if not head then legacy = redis.call('GET', KEYS[4]) end
return {ver, settings, head, legacy}
`;
