/**
 * Caps how many jobs of one tenant a worker process runs at once, so a tenant whose tracker is
 * slow or hanging cannot take every worker slot and starve the others.
 *
 * A job over the cap waits here for a slot of its tenant while the tenant's running jobs are young
 * (a healthy tracker answers in milliseconds, so a slot frees soon); once the tenant's oldest
 * running job is older than `maxWaitMs` (a slow or hanging tracker) it is not let wait, and the
 * caller delays it through the queue instead. Putting every job over the cap back on the queue at
 * once made a single busy tenant's jobs bounce between active and delayed (two Redis scripts and a
 * thrown DelayedError each time): a third of the worker's CPU under a steady load.
 */
export class TenantGate {
  private readonly running = new Map<string, Map<number, number>>();
  private readonly waiters = new Map<string, Array<(slot: number | null) => void>>();
  private nextSlot = 1;

  constructor(
    readonly maxPerTenant: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A release function when the tenant has a free slot, else null. */
  tryEnter(tenant: string): (() => void) | null {
    const slots = this.slotsOf(tenant);
    if (slots.size >= this.maxPerTenant) return null;
    return this.occupy(tenant, this.nextSlot++);
  }

  /**
   * A release function once the tenant has a free slot: at once, or after waiting up to
   * `maxWaitMs` while its running jobs are younger than that. Null when the job should be delayed.
   */
  async enter(tenant: string, maxWaitMs: number): Promise<(() => void) | null> {
    const now = this.tryEnter(tenant);
    if (now || maxWaitMs <= 0) return now;
    const oldest = Math.min(...this.slotsOf(tenant).values());
    if (this.now() - oldest >= maxWaitMs) return null;
    const queue = this.waiters.get(tenant) ?? [];
    this.waiters.set(tenant, queue);
    const slot = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        const i = queue.indexOf(take);
        if (i >= 0) queue.splice(i, 1);
        resolve(null);
      }, maxWaitMs);
      const take = (s: number | null) => {
        clearTimeout(timer);
        resolve(s);
      };
      queue.push(take);
    });
    // The releasing job already recorded the slot for us (so no one else could take it meanwhile).
    return slot === null ? null : this.releaser(tenant, slot);
  }

  inFlight(tenant: string): number {
    return this.running.get(tenant)?.size ?? 0;
  }

  private slotsOf(tenant: string): Map<number, number> {
    let slots = this.running.get(tenant);
    if (!slots) {
      slots = new Map();
      this.running.set(tenant, slots);
    }
    return slots;
  }

  private occupy(tenant: string, slot: number): () => void {
    this.slotsOf(tenant).set(slot, this.now());
    return this.releaser(tenant, slot);
  }

  private releaser(tenant: string, slot: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const slots = this.slotsOf(tenant);
      slots.delete(slot);
      const next = this.waiters.get(tenant)?.shift();
      if (next) {
        // Hand the slot straight to the longest waiter.
        const handed = this.nextSlot++;
        slots.set(handed, this.now());
        next(handed);
        return;
      }
      if (slots.size === 0) {
        this.running.delete(tenant);
        this.waiters.delete(tenant);
      }
    };
  }
}
