import type { TenantContext } from '@pool-guard/shared/tracker';
import type { WorkerDeps } from '../worker-deps.js';

const inMemory = new WeakMap<TenantContext, string>();

/** The tracker account Pool Guard acts as (its events are echoes), cached in memory and Redis. */
export async function botAccountId(deps: WorkerDeps, tenant: TenantContext): Promise<string> {
  const known = inMemory.get(tenant);
  if (known) return known;
  let id = await deps.throttle.cachedAccountId(tenant.id);
  if (!id) {
    id = (await tenant.client.whoAmI()).accountId;
    await deps.throttle.cacheAccountId(tenant.id, id);
  }
  inMemory.set(tenant, id);
  return id;
}
