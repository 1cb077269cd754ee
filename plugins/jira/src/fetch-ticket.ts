/** A Jira issue (REST v3) -> the domain's Ticket, and the single-issue read. */
import type { Ticket, WorkProgress } from '@pool-guard/shared/domain';
import { isTrackerError } from '@pool-guard/shared/tracker';
import type { FieldIds } from './field-ids.js';
import type { JiraHttp } from './jira-http.js';
import { jiraDateToIso } from './jira-date.js';

type Json = Record<string, unknown>;

/** Fields Pool Guard reads, plus the site's Rank and story points fields. */
export function ticketFields(ids: FieldIds): string[] {
  const fields = ['summary', 'project', 'labels', 'issuetype', 'status', 'timeoriginalestimate', 'duedate', 'created', 'updated'];
  if (ids.rank) fields.push(ids.rank);
  if (ids.storyPoints) fields.push(ids.storyPoints);
  return fields;
}

export function progressOf(statusCategoryKey: unknown): WorkProgress {
  switch (statusCategoryKey) {
    case 'indeterminate':
      return 'in-progress';
    case 'done':
      return 'done';
    default:
      return 'not-started';
  }
}

function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function finiteNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

export function issueToTicket(issue: unknown, ids: FieldIds): Ticket {
  const i = obj(issue);
  const fields = obj(i.fields);
  const key = typeof i.key === 'string' ? i.key : String(i.id ?? '');
  const created = jiraDateToIso(fields.created);
  const updated = jiraDateToIso(fields.updated);
  const rank = ids.rank ? fields[ids.rank] : null;
  return {
    key,
    id: String(i.id ?? key),
    scope: typeof obj(fields.project).key === 'string' ? (obj(fields.project).key as string) : key.replace(/-\d+$/, ''),
    title: typeof fields.summary === 'string' ? fields.summary : '',
    labels: Array.isArray(fields.labels) ? fields.labels.filter((l): l is string => typeof l === 'string') : [],
    issueType: typeof obj(fields.issuetype).name === 'string' ? (obj(fields.issuetype).name as string) : null,
    linkedToCustomerRequest: false,
    estimate: {
      seconds: finiteNumber(fields.timeoriginalestimate),
      points: ids.storyPoints ? finiteNumber(fields[ids.storyPoints]) : null,
    },
    dueDate: typeof fields.duedate === 'string' && fields.duedate !== '' ? fields.duedate.slice(0, 10) : null,
    createdAt: created ?? updated ?? new Date(0).toISOString(),
    updatedAt: updated ?? created ?? new Date(0).toISOString(),
    rank: typeof rank === 'string' && rank !== '' ? rank : null,
    progress: progressOf(obj(obj(fields.status).statusCategory).key),
  };
}

/** The issue as Jira has it now; null when it does not exist (or the account cannot see it, which Jira does not tell apart). */
export async function fetchTicket(http: JiraHttp, ids: FieldIds, keyOrId: string): Promise<Ticket | null> {
  try {
    const { body } = await http.request('GET', `/rest/api/3/issue/${encodeURIComponent(keyOrId)}`, {
      query: { fields: ticketFields(ids).join(',') },
    });
    return issueToTicket(body, ids);
  } catch (err) {
    if (isTrackerError(err) && err.kind === 'not_found') return null;
    throw err;
  }
}
