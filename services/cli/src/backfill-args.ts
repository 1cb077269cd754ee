/** The backfill command line, read strictly: every mistake is a message saying what to type. */
import { parseArgs } from 'node:util';
import { compareQuarters, isQuarterId, quarterRange, type QuarterId } from '@pool-guard/shared/domain';

export const BACKFILL_USAGE = `Usage: npm run backfill -- --tenant <id> [--from <quarter>] [--to <quarter>] [--json] [--wait <seconds>]

Runs a reconcile sweep of one tenant now, in this process: reads the tenant's custom requests of
the quarters from the tracker, repairs the ledger, and writes each ticket's pool label, comment and
badge where they are missing or wrong. Safe to interrupt (Ctrl-C) and to run again.

  --tenant <id>       a tenant id of the config file (POOLGUARD_CONFIG)
  --from <quarter>    first quarter, e.g. 2026-Q3 (default: the tenant's sweep window)
  --to <quarter>      last quarter, e.g. 2027-Q1 (default: --from)
  --json              print the sweep report as JSON instead of the summary
  --wait <seconds>    how long to wait for a sweep of the tenant already running (default 300)

Needs POOLGUARD_CONFIG and REDIS_URL, as the services do; the service may be running or not.`;

/** Longest range one backfill takes (ten years of quarters). */
export const MAX_QUARTERS = 40;

export interface BackfillArgs {
  tenant: string;
  /** Null = the tenant's configured sweep window. */
  quarters: { from: QuarterId; to: QuarterId } | null;
  json: boolean;
  waitSeconds: number;
}

export type ParsedBackfillArgs = { ok: true; args: BackfillArgs } | { ok: false; help: true } | { ok: false; help: false; error: string };

export function parseBackfillArgs(argv: readonly string[]): ParsedBackfillArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        tenant: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean', default: false },
        wait: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return { ok: false, help: false, error: (err as Error).message.replace(/\. To specify a positional argument.*$/s, '') };
  }
  if (values.help) return { ok: false, help: true };
  const error = (message: string): ParsedBackfillArgs => ({ ok: false, help: false, error: message });

  if (!values.tenant) return error('--tenant is required (a tenant id of the config file, e.g. --tenant acme)');
  const from = values.from ?? null;
  const to = values.to ?? from;
  if (from === null && to !== null) return error('--to needs --from (the first quarter, e.g. --from 2026-Q3)');
  for (const [flag, value] of [['--from', from], ['--to', to]] as const) {
    if (value !== null && !isQuarterId(value)) return error(`${flag} "${value}" is not a quarter: use the form 2026-Q3 (year, then Q1 to Q4)`);
  }
  if (from !== null && to !== null) {
    if (compareQuarters(from, to) > 0) return error(`--from ${from} is after --to ${to}: give the earlier quarter first`);
    const count = quarterRange(from, to).length;
    if (count > MAX_QUARTERS) return error(`${from}..${to} is ${count} quarters; one backfill takes at most ${MAX_QUARTERS} (run several)`);
  }
  let waitSeconds = 300;
  if (values.wait !== undefined) {
    waitSeconds = Number(values.wait);
    if (!Number.isFinite(waitSeconds) || waitSeconds < 0) return error(`--wait "${values.wait}" must be a number of seconds (0 or more)`);
  }
  return {
    ok: true,
    args: { tenant: values.tenant, quarters: from !== null && to !== null ? { from, to } : null, json: values.json ?? false, waitSeconds },
  };
}
