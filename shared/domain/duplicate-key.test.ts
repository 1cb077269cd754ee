import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { duplicateKey } from './duplicate-key.js';

const keyed = (keys: readonly string[]) => keys.map((key) => ({ key }));

describe('duplicateKey', () => {
  it('finds the key two items share, wherever they are', () => {
    expect(duplicateKey(keyed(['CR-1', 'CR-2', 'CR-3', 'CR-2']))).toBe('CR-2');
    expect(duplicateKey(keyed(['A', 'A']))).toBe('A');
    expect(duplicateKey(keyed(['', 'x', '']))).toBe('');
  });

  it('answers null when every key is distinct, including keys that differ only in case or code units', () => {
    expect(duplicateKey([])).toBeNull();
    expect(duplicateKey(keyed(['only']))).toBeNull();
    expect(duplicateKey(keyed(['cr-1', 'CR-1', 'CR-1 ', '\u00e9', 'e\u0301']))).toBeNull();
  });

  it('agrees with a Set on any keys, over calls of every size (its table is shared and grows)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ maxLength: 4 }), { maxLength: 300 }), { minLength: 1, maxLength: 6 }), (lists) => {
        for (const keys of lists) {
          const seen = new Set<string>();
          const expected = keys.find((k) => (seen.has(k) ? true : (seen.add(k), false))) ?? null;
          expect(duplicateKey(keyed(keys))).toBe(expected);
        }
      }),
    );
  });

  it('takes a pool of thousands of distinct keys after a small one without a false hit', () => {
    expect(duplicateKey(keyed(['a', 'b']))).toBeNull();
    expect(duplicateKey(keyed(Array.from({ length: 5000 }, (_, i) => `CR-${i}`)))).toBeNull();
    expect(duplicateKey(keyed(['b', 'c', 'd']))).toBeNull();
    expect(duplicateKey(keyed([...Array.from({ length: 5000 }, (_, i) => `CR-${i}`), 'CR-4999']))).toBe('CR-4999');
  });
});
