import { describe, expect, it } from '@jest/globals';
import { parseBackfillArgs } from '../../src/backfill-args.js';
import { createProgressBar } from '../../src/progress-bar.js';

describe('backfill arguments', () => {
  it('reads the documented form, and --to defaults to --from', () => {
    expect(parseBackfillArgs(['--tenant', 'acme', '--from', '2026-Q3', '--to', '2027-Q1'])).toEqual({
      ok: true,
      args: { tenant: 'acme', quarters: { from: '2026-Q3', to: '2027-Q1' }, json: false, waitSeconds: 300 },
    });
    expect(parseBackfillArgs(['--tenant=acme', '--from=2026-Q3', '--json', '--wait', '0'])).toMatchObject({
      ok: true,
      args: { quarters: { from: '2026-Q3', to: '2026-Q3' }, json: true, waitSeconds: 0 },
    });
    expect(parseBackfillArgs(['--tenant', 'acme'])).toMatchObject({ ok: true, args: { quarters: null } });
    expect(parseBackfillArgs(['--help'])).toEqual({ ok: false, help: true });
  });

  it('says what is wrong', () => {
    const error = (argv: string[]) => {
      const r = parseBackfillArgs(argv);
      return r.ok || r.help ? null : r.error;
    };
    expect(error([])).toMatch(/--tenant is required/);
    expect(error(['--tenant', 'acme', '--to', '2026-Q3'])).toMatch(/--to needs --from/);
    expect(error(['--tenant', 'acme', '--from', '2026Q3'])).toMatch(/--from "2026Q3" is not a quarter/);
    expect(error(['--tenant', 'acme', '--from', '2026-Q3', '--to', '2026-Q9'])).toMatch(/--to "2026-Q9" is not a quarter/);
    expect(error(['--tenant', 'acme', '--from', '2027-Q1', '--to', '2026-Q3'])).toMatch(/--from 2027-Q1 is after --to 2026-Q3/);
    expect(error(['--tenant', 'acme', '--from', '2020-Q1', '--to', '2030-Q4'])).toMatch(/44 quarters; one backfill takes at most 40/);
    expect(error(['--tenant', 'acme', '--wait', 'soon'])).toMatch(/--wait "soon" must be a number/);
    expect(error(['--tenant', 'acme', '--quarter', '2026-Q3'])).toMatch(/Unknown option '--quarter'/);
    expect(error(['acme'])).toMatch(/positional/i);
  });
});

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, columns: 200, write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WritableStream & { isTTY: boolean } };
}

describe('progress bar', () => {
  it('prints plain lines when not a terminal: one per phase, then at most one per interval', () => {
    let t = 0;
    const { out, stream } = sink(false);
    const bar = createProgressBar({ stream, label: 'acme 2026-Q3..2027-Q1', now: () => t });
    bar.update({ phase: 'listing', ticketsSeen: 100, repaired: 3 });
    bar.update({ phase: 'listing', ticketsSeen: 200, repaired: 5 });
    t = 2500;
    bar.update({ phase: 'listing', ticketsSeen: 300, repaired: 6 });
    bar.update({ phase: 'writing', ticketsSeen: 300, repaired: 7, written: { done: 1, total: 4 } });
    bar.end();
    expect(out).toEqual([
      'acme 2026-Q3..2027-Q1 listing: 100 tickets seen · 3 repaired\n',
      'acme 2026-Q3..2027-Q1 listing: 300 tickets seen · 6 repaired\n',
      'acme 2026-Q3..2027-Q1 writing: 1/4 tickets written · 300 tickets seen · 7 repaired\n',
    ]);
  });

  it('redraws one line in place on a terminal, with a bar while writing', () => {
    const { out, stream } = sink(true);
    const bar = createProgressBar({ stream, label: 'acme', everyMs: 0 });
    bar.update({ phase: 'writing', ticketsSeen: 10, repaired: 2, written: { done: 2, total: 4 } });
    bar.end();
    expect(out[0]).toBe(`\r\x1b[2Kacme writing: [${'█'.repeat(12)}${'░'.repeat(12)}] 2/4 tickets written · 10 tickets seen · 2 repaired`);
    expect(out.at(-1)).toBe('\r\x1b[2K');
  });
});
