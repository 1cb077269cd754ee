// Starts one private redis-server on a free loopback port for the whole test run and publishes its
// URL as POOLGUARD_TEST_REDIS_URL. Tests that restart, flush or cluster Redis start their own.
import { startRedisServer } from './redis-server.js';

export default async function globalSetup() {
  const redis = await startRedisServer();
  globalThis.__POOLGUARD_REDIS__ = redis;
  process.env.POOLGUARD_TEST_REDIS_URL = redis.url;
}
