/**
 * Lua scripts for the ledger. Each touches keys of one tenant only (one hash tag), so they run on
 * Redis Cluster too. Scripts do compare-and-set on versions; the decisions themselves are made by
 * the pure domain in TypeScript, so there is one source of truth for the rules.
 */

/**
 * Replace a ticket's stored state if its version is still the one read, and move its request
 * between pools.
 * KEYS: 1 ticket hash, 2 old pool requests hash, 3 new pool requests hash, 4 pool versions hash, 5 pools set,
 *       6 dirty pools set (pools whose outcome must be recomputed)
 * ARGV: 1 expected version, 2 state JSON, 3 ticket id, 4 old pool id ('' = none), 5 new pool id ('' = none),
 *       6 new request JSON, 7 ticket key, 8 excluded reason, 9 ttl seconds for the ticket hash (0 = keep)
 * Returns the new version, or -1 when the version moved on (caller re-reads and decides again).
 */
export const CAS_TICKET = `
local ver = redis.call('HGET', KEYS[1], 'ver') or '0'
if ver ~= ARGV[1] then return -1 end
local nextVer = tonumber(ver) + 1
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'ver', nextVer, 'key', ARGV[7], 'excluded', ARGV[8])
if ARGV[4] ~= '' then
  redis.call('HDEL', KEYS[2], ARGV[3])
  redis.call('HINCRBY', KEYS[4], ARGV[4], 1)
  redis.call('SADD', KEYS[6], ARGV[4])
end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[3], ARGV[6])
  redis.call('HINCRBY', KEYS[4], ARGV[5], 1)
  redis.call('SADD', KEYS[5], ARGV[5])
  redis.call('SADD', KEYS[6], ARGV[5])
end
if ARGV[9] ~= '0' then
  redis.call('EXPIRE', KEYS[1], ARGV[9])
else
  redis.call('PERSIST', KEYS[1])
end
return nextVer
`;

/**
 * Store a pool's admission outcome if the pool has not changed since it was read.
 * The pool leaves the dirty set: its write-backs were enqueued before this commit.
 * KEYS: 1 pool versions hash, 2 outcome key, 3 dirty pools set
 * ARGV: 1 pool id, 2 expected version, 3 outcome JSON
 * Returns 1 when stored, 0 when the pool moved on (recompute and try again).
 */
export const COMMIT_OUTCOME = `
local v = redis.call('HGET', KEYS[1], ARGV[1]) or '0'
if v ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[2], ARGV[3])
redis.call('SREM', KEYS[3], ARGV[1])
return 1
`;
