/**
 * Makes a WriteBackCommand true on one Jira issue: Pool Guard's comment, the pool labels, the badge
 * (issue property `pool-guard`), in as few calls as Jira allows. In the common case (figures changed
 * on a ticket whose comment id Pool Guard knows) that is ONE call, an edit of the issue:
 *
 *   PUT /rest/api/3/issue/{id}
 *   { "update": { "comment": [{ "edit": { "id": "<commentId>", "body": <ADF doc> } }],
 *                 "labels":  [{ "add": "pool-ok" }, { "remove": "pool-near-limit" }, ...] },
 *     "properties": [{ "key": "pool-guard", "value": <badge JSON> }] }
 *
 * with each part only when the command has it. Why Jira Cloud takes this body (see also
 * docs/decisions/0005-one-issue-edit-per-write-back.md):
 *  - Atlassian's OpenAPI spec of the platform REST API (shared/specs/jira/swagger-v3.v3.json, source S1
 *    of shared/specs/TRACKERS.md): `IssueUpdateDetails` has `update` (field -> list of
 *    FieldUpdateOperation: add/set/remove/edit/copy) and `properties` (EntityProperty[]); the
 *    edit-issue example sets `update.labels` add/remove and `properties` in one body. TRACKERS.md
 *    §2.2: "Issue properties can be set in the same call".
 *  - Comments are a field of the edit: the spec's transition example carries
 *    `"update":{"comment":[{"add":{"body":{ADF}}}]}`, and Atlassian's "Updating an issue via the JIRA
 *    REST APIs" says comments cannot be set through `fields` and must use explicit-verb `update`.
 *  - The `edit` operation on `comment` (`{"edit":{"id","body"}}`) is evidenced by THIRD-PARTY material
 *    only, not by the OpenAPI examples: the editmeta of a real Jira Cloud site, quoted in a public
 *    integration script, lists `"comment":{..."operations":["add","edit","remove"]}`. Hence the
 *    fallback below, which needs none of it.
 *
 * Calls, and what keeps the write-back safe:
 *  - comment id known: 1 call (+ a DELETE of the property when the badge is removed, which is rare).
 *  - comment id unknown (first write, or lost): find our own comment (author = our account, first
 *    block = the title; paged GETs) and edit it through the comment endpoint, else POST one; stray
 *    duplicates of ours (from racing write-backs) are deleted so one Pool Guard comment remains; then
 *    labels and badge in one PUT issue. A first write is GET + POST + PUT: 2 writes.
 *  - a combined edit that Jira refuses because of the comment (400 with an error on `comment`, or a
 *    404 naming the comment: a person deleted it) changed nothing, since Jira validates an edit before
 *    applying it; the write-back then takes the comment-id-unknown path, so it is not lost.
 *  - labels only through `update.labels` add/remove of pool labels: other labels are never clobbered.
 *  - every part is idempotent (an edit to the same body, label add/remove, a property set; a missing
 *    property counts as deleted), so a retried job ends in the same state.
 *  - `calls` counts every request of this write-back, reads included (`http.counting()`).
 */
import { COMMENT_TITLE, POOL_LABELS, type Badge, type CommentDoc } from '@pool-guard/shared/domain';
import { isTrackerError, type WriteBackCommand, type WriteBackResult } from '@pool-guard/shared/tracker';
import type { JiraHttp } from './jira-http.js';
import { JiraHttpError } from './map-error.js';
import { firstBlockText, renderCommentAdf, type AdfDoc } from './render-comment.js';

export const BADGE_PROPERTY_KEY = 'pool-guard';
const COMMENT_PAGE_SIZE = 100;

export interface WriteBackDeps {
  http: JiraHttp;
  /** Our own accountId (from /myself), to recognise our comment. */
  whoAmI: () => Promise<{ accountId: string }>;
}

interface JiraComment {
  id?: unknown;
  author?: { accountId?: unknown } | null;
  body?: unknown;
}

interface CommentPage {
  startAt?: number;
  maxResults?: number;
  total?: number;
  comments?: JiraComment[];
}

/** The badge JSON, a public contract (the Forge app and users' JQL read it). */
export function badgeJson(badge: Badge): Badge {
  return {
    quarter: badge.quarter,
    scope: badge.scope,
    state: badge.state,
    usedDays: badge.usedDays,
    limitDays: badge.limitDays,
    days: badge.days,
    rank: badge.rank,
  };
}

function issuePath(ref: string): string {
  return `/rest/api/3/issue/${encodeURIComponent(ref)}`;
}

/** Our comments on the issue, oldest first. */
async function findOwnComments(http: JiraHttp, ref: string, accountId: string, titles: Set<string>): Promise<string[]> {
  const found: string[] = [];
  for (let startAt = 0; ; ) {
    const { body } = await http.request<CommentPage>('GET', `${issuePath(ref)}/comment`, {
      query: { startAt, maxResults: COMMENT_PAGE_SIZE, orderBy: 'created' },
    });
    const comments = body.comments ?? [];
    for (const c of comments) {
      if (typeof c.id === 'string' && c.author?.accountId === accountId && titles.has(firstBlockText(c.body))) found.push(c.id);
    }
    startAt += comments.length;
    if (comments.length === 0 || startAt >= (body.total ?? 0)) return found;
  }
}

/** A field operation of `update`: `{ add: x }`, `{ edit: x }`, ... */
type FieldOperation = Record<string, unknown>;

/** `update.labels` operations for the pool labels of the command; empty when there is nothing to change. */
function labelOperations(labels: WriteBackCommand['labels']): FieldOperation[] {
  if (!labels) return [];
  const pool = new Set<string>(POOL_LABELS);
  const add = [...new Set(labels.add)].filter((l) => pool.has(l));
  const remove = [...new Set(labels.remove)].filter((l) => pool.has(l) && !add.includes(l));
  return [...add.map((l) => ({ add: l })), ...remove.map((l) => ({ remove: l }))];
}

/** One edit of the issue (`PUT issue`) with the given `update` operations and properties; no call when both are empty. */
async function editIssue(
  http: JiraHttp,
  ref: string,
  update: Record<string, FieldOperation[]>,
  properties: { key: string; value: unknown }[],
): Promise<void> {
  const fields = Object.fromEntries(Object.entries(update).filter(([, ops]) => ops.length > 0));
  if (Object.keys(fields).length === 0 && properties.length === 0) return;
  await http.request('PUT', issuePath(ref), {
    body: { ...(Object.keys(fields).length > 0 ? { update: fields } : {}), ...(properties.length > 0 ? { properties } : {}) },
  });
}

/**
 * Whether Jira refused an edit because of its comment operation: a 400 with an error on the `comment`
 * field (or a message about a comment), or a 404 whose message names a comment (a 404 for the issue
 * itself is not: the issue is gone).
 */
function refusedForComment(err: unknown): boolean {
  if (!(err instanceof JiraHttpError)) return false;
  const aboutComment = err.errorMessages.some((m) => /comment/i.test(m));
  if (err.status === 400) return 'comment' in err.fieldErrors || aboutComment;
  if (err.status === 404) return aboutComment || Object.values(err.fieldErrors).some((m) => /comment/i.test(m));
  return false;
}

/** Pool Guard's comment when its id is unknown or gone: our own comment edited, else a new one. */
async function findOrCreateComment(deps: WriteBackDeps, http: JiraHttp, ref: string, doc: CommentDoc, adf: AdfDoc): Promise<string> {
  const body = { body: adf };
  const { accountId } = await deps.whoAmI();
  const ours = await findOwnComments(http, ref, accountId, new Set([COMMENT_TITLE, doc.title]));
  const [keep, ...duplicates] = ours;
  if (keep === undefined) {
    const { body: created } = await http.request<{ id: string }>('POST', `${issuePath(ref)}/comment`, { body });
    return String(created.id);
  }
  await http.request('PUT', `${issuePath(ref)}/comment/${encodeURIComponent(keep)}`, { body });
  for (const id of duplicates) {
    try {
      await http.request('DELETE', `${issuePath(ref)}/comment/${encodeURIComponent(id)}`);
    } catch (err) {
      if (!(isTrackerError(err) && err.kind === 'not_found')) throw err;
    }
  }
  return keep;
}

export async function writeBack(deps: WriteBackDeps, cmd: WriteBackCommand): Promise<WriteBackResult> {
  const http = deps.http.counting();
  const ref = cmd.ticketId || cmd.ticketKey;
  const labels = labelOperations(cmd.labels);
  const properties = cmd.badge ? [{ key: BADGE_PROPERTY_KEY, value: badgeJson(cmd.badge) }] : [];
  let commentId: string | null = null;
  let edited = false;

  if (cmd.comment) {
    const adf = renderCommentAdf(cmd.comment.doc);
    const known = cmd.comment.commentId;
    if (known !== null) {
      try {
        await editIssue(http, ref, { comment: [{ edit: { id: known, body: adf } }], labels }, properties);
        commentId = known;
        edited = true;
      } catch (err) {
        if (!refusedForComment(err)) throw err;
        // Our comment is gone (or not ours to edit): nothing of the edit was applied; go the long way.
      }
    }
    if (!edited) commentId = await findOrCreateComment(deps, http, ref, cmd.comment.doc, adf);
  }

  if (!edited) await editIssue(http, ref, { labels }, properties);

  if (cmd.badge === null) {
    try {
      await http.request('DELETE', `${issuePath(ref)}/properties/${BADGE_PROPERTY_KEY}`);
    } catch (err) {
      if (!(isTrackerError(err) && err.kind === 'not_found')) throw err;
      // Gone already, or the issue is gone: a 404 on the issue itself surfaces on the next read.
    }
  }

  return { commentId, calls: http.calls };
}
