/**
 * Caps how many jobs of one tenant a worker process runs at once, so a tenant whose tracker is
 * slow or hanging cannot take every worker slot and starve the others.
 */
export class TenantGate {
  private readonly running = new Map<string, number>();

  constructor(readonly maxPerTenant: number) {}

  /** A release function when the tenant has a free slot, else null. */
  tryEnter(tenant: string): (() => void) | null {
    const n = this.running.get(tenant) ?? 0;
    if (n >= this.maxPerTenant) return null;
    this.running.set(tenant, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(tenant) ?? 1) - 1;
      if (left <= 0) this.running.delete(tenant);
      else this.running.set(tenant, left);
    };
  }

  inFlight(tenant: string): number {
    return this.running.get(tenant) ?? 0;
  }
}
