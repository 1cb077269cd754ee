/**
 * The bench must not rot: `npm run bench -- --smoke` (every part, tiny loads, no targets) runs
 * here as part of `npm test`, and its results file must have every figure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const ROOT = resolve(process.cwd());

describe('npm run bench -- --smoke', () => {
  it('runs every part and reports every figure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pool-guard-bench-smoke-'));
    try {
      const out = join(dir, 'results.json');
      const run = spawnSync(process.execPath, ['--conditions=source', '--import', './bench/loader/register.mjs', 'bench/main.ts', '--smoke', `--out=${out}`], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 90_000,
      });
      expect({ status: run.status, stderr: run.stderr.slice(-4000) }).toEqual({ status: 0, stderr: expect.any(String) });
      const report = JSON.parse(readFileSync(out, 'utf8')) as { mode: string; table: { figure: string; value: string; pass: boolean | null }[]; results: Record<string, any> };
      expect(report.mode).toBe('smoke');
      const figures = report.table.map((r) => r.figure.replace(/\(.*\)|\d[\d,]*/g, '').trim());
      expect(figures).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^\. Ingest, Jira/),
          expect.stringMatching(/^\. Ingest, Linear/),
          expect.stringMatching(/^\. Ack latency at half max, Jira/),
          expect.stringMatching(/^\. End to end/),
          expect.stringMatching(/^\. Tracker write calls/),
          expect.stringMatching(/^\. Write calls for events that change nothing/),
          expect.stringMatching(/^\. Ledger apply per event/),
          expect.stringMatching(/^\. Worker RSS/),
          expect.stringMatching(/^\. Scale/),
        ]),
      );
      // Smoke runs enforce no target, but what they measure must be real.
      expect(report.table.every((r) => r.pass === null)).toBe(true);
      const { ingest, calls, e2e, ledger } = report.results;
      expect(ingest.jira.answered).toBeGreaterThan(0);
      // Every 2xx is a job on the queue (requests cut off by the end of a run may add a few more).
      for (const t of [ingest.jira, ingest.linear]) {
        expect(t.queued).toBeGreaterThanOrEqual(t.answered);
        expect(t.queued).toBeLessThanOrEqual(t.answered + ingest.connections * ingest.runs);
      }
      expect(calls.noop.writeCalls).toBe(0);
      expect(calls.naive.writeCalls).toBeGreaterThan(calls.writeCalls);
      expect(e2e.unlanded).toBe(0);
      expect(e2e.landed).toBe(e2e.sent);
      expect(ledger.many.workerPeakRssMb).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
