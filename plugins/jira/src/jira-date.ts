/** Jira's date spellings: `2026-11-20T10:00:00.000+0000` in responses, `yyyy-MM-dd HH:mm` in JQL. */

/** Epoch ms of a Jira timestamp (offset with or without a colon), or null when unreadable. */
export function parseJiraDate(text: string): number | null {
  const normalized = text.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? null : ms;
}

/** ISO-8601 (UTC) of a Jira timestamp; null when unreadable. */
export function jiraDateToIso(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const ms = parseJiraDate(text);
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * A JQL date literal for an instant. JQL reads dates in the searching user's time zone and to the
 * minute, so the instant is written in that zone and rounded down: `updated >= that` never misses.
 */
export function formatJqlDate(instant: string | number, timeZone: string | null): string {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  if (Number.isNaN(ms)) throw new Error(`not an instant: ${String(instant)}`);
  let parts: Record<string, string>;
  try {
    parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', {
        timeZone: timeZone ?? 'UTC',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(new Date(ms))
        .map((p) => [p.type, p.value]),
    );
  } catch {
    return formatJqlDate(ms, 'UTC');
  }
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}
