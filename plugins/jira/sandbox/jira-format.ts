/**
 * Jira's wire formats: timestamps (`2026-11-20T10:00:00.000+0000`), time-tracking durations
 * (`1w 2d 4h`), and the error body `{"errorMessages":[...],"errors":{}}`.
 */
import { DAYS_PER_WEEK, HOURS_PER_DAY } from './seed-data.js';

/** Jira's timestamp format; the sandbox site's users are all in UTC. */
export function formatJiraDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

const UNIT_SECONDS: Record<string, number> = {
  w: DAYS_PER_WEEK * HOURS_PER_DAY * 3600,
  d: HOURS_PER_DAY * 3600,
  h: 3600,
  m: 60,
};

/** `"1w 2d 4h 30m"` -> seconds; a bare number is minutes, as in Jira. Null when not a duration. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 60;
  let total = 0;
  let rest = trimmed;
  const part = /^(\d+(?:\.\d+)?)\s*([wdhm])\s*/i;
  while (rest !== '') {
    const m = part.exec(rest);
    if (!m) return null;
    total += Number(m[1]) * UNIT_SECONDS[m[2]!.toLowerCase()]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** Seconds -> `"1w 2d 4h 30m"` the way Jira shows `originalEstimate`. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0m';
  const parts: string[] = [];
  let rest = seconds;
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    const size = UNIT_SECONDS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.length > 0 ? parts.join(' ') : '0m';
}

export interface JiraErrorBody {
  errorMessages: string[];
  errors: Record<string, string>;
}

export function errorBody(messages: string[], errors: Record<string, string> = {}): JiraErrorBody {
  return { errorMessages: messages, errors };
}

/** `YYYY-MM-DD` that is a real calendar date. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

/** A Jira-shaped failure raised by the sandbox's state and turned into a response by the routes. */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  constructor(
    readonly status: number,
    readonly body: JiraErrorBody,
  ) {
    super(body.errorMessages[0] ?? Object.values(body.errors)[0] ?? `HTTP ${status}`);
  }
}

export const ISSUE_NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';

export function issueNotFound(): SandboxError {
  return new SandboxError(404, errorBody([ISSUE_NOT_FOUND]));
}

export function badRequest(messages: string[], errors: Record<string, string> = {}): SandboxError {
  return new SandboxError(400, errorBody(messages, errors));
}
