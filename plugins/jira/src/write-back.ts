/**
 * Makes a WriteBackCommand true on one Jira issue, in this order: Pool Guard's comment, the pool
 * labels, the badge. Each part is idempotent, so a retried job ends in the same state:
 *  - comment: edit the known comment; when it is unknown or gone, find our own comment (authored by
 *    our account, first block = the title) and edit it, else create one; stray duplicates of ours
 *    (from racing write-backs) are deleted so one Pool Guard comment remains;
 *  - labels: one `PUT issue` with `update.labels` add/remove, so other labels are never clobbered;
 *  - badge: PUT/DELETE of the issue property `pool-guard` (a missing property counts as deleted).
 */
import { COMMENT_TITLE, POOL_LABELS, type Badge, type CommentDoc } from '@pool-guard/shared/domain';
import { isTrackerError, type WriteBackCommand, type WriteBackResult } from '@pool-guard/shared/tracker';
import type { JiraHttp } from './jira-http.js';
import { firstBlockText, renderCommentAdf } from './render-comment.js';

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

async function writeComment(deps: WriteBackDeps, http: JiraHttp, ref: string, doc: CommentDoc, known: string | null): Promise<string> {
  const body = { body: renderCommentAdf(doc) };
  if (known !== null) {
    try {
      await http.request('PUT', `${issuePath(ref)}/comment/${encodeURIComponent(known)}`, { body });
      return known;
    } catch (err) {
      if (!(isTrackerError(err) && err.kind === 'not_found')) throw err;
    }
  }
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
  let commentId: string | null = null;

  if (cmd.comment) commentId = await writeComment(deps, http, ref, cmd.comment.doc, cmd.comment.commentId);

  if (cmd.labels) {
    const pool = new Set<string>(POOL_LABELS);
    const add = [...new Set(cmd.labels.add)].filter((l) => pool.has(l));
    const remove = [...new Set(cmd.labels.remove)].filter((l) => pool.has(l) && !add.includes(l));
    if (add.length > 0 || remove.length > 0) {
      await http.request('PUT', issuePath(ref), {
        body: { update: { labels: [...add.map((l) => ({ add: l })), ...remove.map((l) => ({ remove: l }))] } },
      });
    }
  }

  if (cmd.badge !== undefined) {
    const path = `${issuePath(ref)}/properties/${BADGE_PROPERTY_KEY}`;
    if (cmd.badge === null) {
      try {
        await http.request('DELETE', path);
      } catch (err) {
        if (!(isTrackerError(err) && err.kind === 'not_found')) throw err;
        // Gone already, or the issue is gone: a 404 on the issue itself surfaces on the next read.
      }
    } else {
      await http.request('PUT', path, { body: badgeJson(cmd.badge) });
    }
  }

  return { commentId, calls: http.calls };
}
