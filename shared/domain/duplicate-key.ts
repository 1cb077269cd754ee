/**
 * A key that two items share, or null; without allocating per call. Admission checks every pool it
 * computes for requests with the same key (a ledger bug), and the worker computes a pool on every
 * change of it: a `Set` of a pool's 1,000 keys was 16 % of everything the worker allocated per
 * change (bench, figure 4), and what is allocated is what the garbage collector's pauses cost.
 *
 * Open addressing with linear probing over one table shared by every call, grown to the largest
 * pool seen (two slots per item, 8 bytes each). Synchronous, so calls never overlap.
 */
let table = new Int32Array(0);

export function duplicateKey(items: readonly { readonly key: string }[]): string | null {
  const n = items.length;
  if (n < 2) return null;
  let size = 16;
  while (size < n * 2) size *= 2;
  if (table.length < size) table = new Int32Array(size);
  else table.fill(0, 0, size);
  const mask = size - 1;
  for (let i = 0; i < n; i++) {
    const key = items[i]!.key;
    // Slots hold the item's index + 1; 0 is free.
    for (let slot = hashOf(key) & mask; ; slot = (slot + 1) & mask) {
      const held = table[slot]!;
      if (held === 0) {
        table[slot] = i + 1;
        break;
      }
      if (items[held - 1]!.key === key) return key;
    }
  }
  return null;
}

/** FNV-1a over the UTF-16 code units. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
