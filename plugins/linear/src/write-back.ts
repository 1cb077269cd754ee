/**
 * Makes one Linear issue show what Pool Guard decided: its pool label, its one comment, its badge.
 *
 * One read first (the issue's team and labels, the bot's own comments on it, Pool Guard's
 * attachments, and on first use the workspace's pool labels), then only the writes that change
 * something, so running the same command twice writes nothing the second time:
 *  - labels: ONE `issueUpdate` with `addedLabelIds`/`removedLabelIds`, never `labelIds`, so labels
 *    others set are never clobbered; a missing pool label is created in the issue's team
 *    (`issueLabelCreate`); label ids are cached per team for the life of the client;
 *  - comment: `commentUpdate` of the given comment, else of the bot's comment titled COMMENT_TITLE,
 *    else `commentCreate`; duplicates Pool Guard left behind are deleted;
 *  - badge: `attachmentCreate` with a stable URL per issue (Linear updates the attachment with the
 *    same URL on the same issue), title COMMENT_TITLE, subtitle `badgeSubtitle(badge)`; a null badge
 *    deletes it.
 * The label change, the comment and the badge go in ONE mutation document (a field each), so the
 * steady state is two requests: the read and that write. Refused as a whole, the write-back is
 * done again part by part from a fresh read (each part with its own recovery).
 */
import { badgeSubtitle, COMMENT_TITLE, POOL_LABELS, type Badge, type PoolLabel } from '@pool-guard/shared/domain';
import { TrackerError, isTrackerError, type WriteBackCommand, type WriteBackResult } from '@pool-guard/shared/tracker';
import type { Logger } from '@pool-guard/shared/logging';
import { DEFAULT_BADGE_URL_BASE } from './badge-url.js';
import { countingGql, type LinearGql } from './linear-client.js';
import { isPoolGuardComment, renderCommentMarkdown } from './render-comment.js';

export { DEFAULT_BADGE_URL_BASE };

/** Label colours, so the pool state reads at a glance in Linear. */
export const POOL_LABEL_COLORS: Readonly<Record<PoolLabel, string>> = {
  'pool-ok': '#4cb782',
  'pool-near-limit': '#f2c94c',
  'pool-over-limit': '#eb5757',
  'pool-needs-estimate': '#95a2b3',
  'pool-no-limit': '#bec2c8',
};

/** Pool label ids known to a client: per team id, and workspace-wide under `null`. */
export class PoolLabelCache {
  private loaded = false;
  private readonly byTeam = new Map<string | null, Map<string, string>>();

  get isLoaded(): boolean {
    return this.loaded;
  }

  load(labels: ReadonlyArray<{ id: string; name: string; team: { id: string } | null }>): void {
    this.byTeam.clear();
    for (const label of labels) this.remember(label.team?.id ?? null, label.name, label.id);
    this.loaded = true;
  }

  remember(teamId: string | null, name: string, id: string): void {
    let names = this.byTeam.get(teamId);
    if (!names) this.byTeam.set(teamId, (names = new Map()));
    names.set(name, id);
  }

  /** The team's label with that name, else the workspace label. */
  find(teamId: string, name: string): string | undefined {
    return this.byTeam.get(teamId)?.get(name) ?? this.byTeam.get(null)?.get(name);
  }

  invalidate(): void {
    this.loaded = false;
    this.byTeam.clear();
  }
}

export interface WriteBackDeps {
  gql: LinearGql;
  labels: PoolLabelCache;
  /** Prefix of badge attachment URLs; the badge of ENG-12 is `<badgeUrlBase>/ENG-12`. */
  badgeUrlBase: string;
  logger: Logger;
}

const READ_STATE = /* GraphQL */ `
  query PoolGuardWriteBackState(
    $id: String!
    $withComments: Boolean!
    $withBadge: Boolean!
    $withPoolLabels: Boolean!
    $badgeUrlPrefix: String!
    $poolLabelNames: [String!]!
  ) {
    issue(id: $id) {
      id
      identifier
      archivedAt
      trashed
      team { id key }
      labels(first: 250) { nodes { id name } }
      comments(first: 50, filter: { user: { isMe: { eq: true } } }) @include(if: $withComments) {
        nodes { id body createdAt }
      }
      attachments(first: 20, filter: { url: { startsWith: $badgeUrlPrefix } }) @include(if: $withBadge) {
        nodes { id url title subtitle metadata }
      }
    }
    issueLabels(first: 250, filter: { name: { in: $poolLabelNames } }) @include(if: $withPoolLabels) {
      nodes { id name team { id } }
    }
  }
`;

const LOOKUP_POOL_LABELS = /* GraphQL */ `
  query PoolGuardPoolLabels($names: [String!]!) {
    issueLabels(first: 250, filter: { name: { in: $names } }) { nodes { id name team { id } } }
  }
`;

const CREATE_LABEL = /* GraphQL */ `
  mutation PoolGuardCreateLabel($input: IssueLabelCreateInput!) {
    issueLabelCreate(input: $input) { success issueLabel { id name team { id } } }
  }
`;

const UPDATE_LABELS = /* GraphQL */ `
  mutation PoolGuardUpdateLabels($id: String!, $input: IssueUpdateInput!) {
    issueUpdate(id: $id, input: $input) { success }
  }
`;

const CREATE_COMMENT = /* GraphQL */ `
  mutation PoolGuardCreateComment($input: CommentCreateInput!) {
    commentCreate(input: $input) { success comment { id } }
  }
`;

const UPDATE_COMMENT = /* GraphQL */ `
  mutation PoolGuardUpdateComment($id: String!, $input: CommentUpdateInput!) {
    commentUpdate(id: $id, input: $input) { success comment { id } }
  }
`;

const DELETE_COMMENT = /* GraphQL */ `
  mutation PoolGuardDeleteComment($id: String!) {
    commentDelete(id: $id) { success }
  }
`;

const UPSERT_BADGE = /* GraphQL */ `
  mutation PoolGuardUpsertBadge($input: AttachmentCreateInput!) {
    attachmentCreate(input: $input) { success attachment { id } }
  }
`;

const DELETE_BADGE = /* GraphQL */ `
  mutation PoolGuardDeleteBadge($id: String!) {
    attachmentDelete(id: $id) { success }
  }
`;

interface IssueState {
  id: string;
  identifier: string;
  archivedAt: string | null;
  trashed: boolean | null;
  team: { id: string; key: string };
  labels: { nodes: Array<{ id: string; name: string }> };
  comments?: { nodes: Array<{ id: string; body: string; createdAt: string }> };
  attachments?: { nodes: Array<{ id: string; url: string; title: string; subtitle: string | null; metadata: Record<string, unknown> }> };
}

interface ReadState {
  issue: IssueState | null;
  issueLabels?: { nodes: Array<{ id: string; name: string; team: { id: string } | null }> };
}

export function badgeUrlOf(base: string, identifier: string): string {
  return `${base.replace(/\/+$/, '')}/${encodeURIComponent(identifier)}`;
}

/** The badge as attachment metadata (Linear keeps string and number values). */
export function badgeMetadata(badge: Badge): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(badge)) if (typeof value === 'string' || typeof value === 'number') out[key] = value;
  return out;
}

export async function writeBack(deps: WriteBackDeps, cmd: WriteBackCommand): Promise<WriteBackResult> {
  const counted = countingGql(deps.gql);
  const gql = counted.gql;
  const wantsLabels = cmd.labels !== undefined && cmd.labels.add.length + cmd.labels.remove.length > 0;
  const wantsComment = cmd.comment !== undefined;
  const wantsBadge = cmd.badge !== undefined;
  if (!wantsLabels && !wantsComment && !wantsBadge) return { commentId: null, calls: 0 };

  const badgePrefix = `${deps.badgeUrlBase.replace(/\/+$/, '')}/`;
  const state = await gql.request<ReadState>(READ_STATE, {
    id: cmd.ticketId || cmd.ticketKey,
    withComments: wantsComment,
    withBadge: wantsBadge,
    withPoolLabels: wantsLabels && !deps.labels.isLoaded,
    badgeUrlPrefix: badgePrefix,
    poolLabelNames: [...POOL_LABELS],
  }).catch((err: unknown) => {
    if (isTrackerError(err) && err.kind === 'not_found') {
      throw new TrackerError('not_found', `Linear issue ${cmd.ticketKey} (${cmd.ticketId}) does not exist`);
    }
    throw err;
  });
  const issue = state.issue;
  if (!issue) throw new TrackerError('not_found', `Linear issue ${cmd.ticketKey} does not exist`);
  if (issue.trashed === true || issue.archivedAt !== null) {
    throw new TrackerError('not_found', `Linear issue ${issue.identifier} is ${issue.trashed ? 'in the trash' : 'archived'}`);
  }
  if (state.issueLabels) deps.labels.load(state.issueLabels.nodes);

  let commentId: string | null;
  try {
    commentId = await writeAtOnce(gql, deps, issue, cmd);
  } catch (err) {
    // Refused as a whole (a cached label or the comment was deleted in Linear meanwhile; Linear
    // runs a document's mutations in order and stops at the first that fails): read the issue
    // again and write what is still missing one mutation at a time, each with its own recovery.
    if (!(isTrackerError(err) && (err.kind === 'invalid' || err.kind === 'not_found'))) throw err;
    deps.logger.info({ ticket: issue.identifier, err: err.message }, 'linear write-back refused as one request; writing it part by part');
    deps.labels.invalidate();
    commentId = await writeByParts(gql, deps, cmd);
  }
  deps.logger.debug({ ticket: issue.identifier, calls: counted.calls() }, 'linear write-back done');
  return { commentId, calls: counted.calls() };
}

/**
 * The write-back's label change, comment and badge in ONE GraphQL request (one mutation document,
 * a field per part), after creating any pool label the team lacks; then the rare clean-ups (a
 * second comment a race left, a badge under an old identifier). Linear counts requests per hour
 * per user (2,500 for an API key): the steady state costs the read and this one request, where a
 * mutation per part cost up to four.
 */
async function writeAtOnce(gql: LinearGql, deps: WriteBackDeps, issue: IssueState, cmd: WriteBackCommand): Promise<string | null> {
  const defs: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, unknown> = {};

  const labels = cmd.labels ? labelChange(issue, cmd.labels) : null;
  if (labels) {
    const addedLabelIds: string[] = [];
    for (const name of labels.toAdd) addedLabelIds.push(await ensureLabel(gql, deps, issue.team.id, name));
    defs.push('$issueId: String!', '$labels: IssueUpdateInput!');
    fields.push('labels: issueUpdate(id: $issueId, input: $labels) { success }');
    variables.issueId = issue.id;
    variables.labels = {
      ...(addedLabelIds.length > 0 ? { addedLabelIds } : {}),
      ...(labels.removedLabelIds.length > 0 ? { removedLabelIds: labels.removedLabelIds } : {}),
    };
  }

  const comment = cmd.comment ? commentChange(issue, cmd.comment) : null;
  if (comment?.kind === 'create') {
    defs.push('$newComment: CommentCreateInput!');
    fields.push('comment: commentCreate(input: $newComment) { success comment { id } }');
    variables.newComment = { issueId: issue.id, body: comment.body, doNotSubscribeToIssue: true };
  } else if (comment?.kind === 'update') {
    defs.push('$commentId: String!', '$comment: CommentUpdateInput!');
    fields.push('comment: commentUpdate(id: $commentId, input: $comment) { success comment { id } }');
    variables.commentId = comment.id;
    variables.comment = { body: comment.body };
  }

  const badge = cmd.badge !== undefined ? badgeChange(deps, issue, cmd.badge) : null;
  if (badge?.upsert) {
    defs.push('$badge: AttachmentCreateInput!');
    fields.push('badge: attachmentCreate(input: $badge) { success attachment { id } }');
    variables.badge = badge.upsert;
  }

  let commentId = comment?.kind === 'same' || comment?.kind === 'update' ? comment.id : null;
  if (fields.length > 0) {
    const data = await gql.request<{ comment?: { comment: { id: string } } }>(`mutation PoolGuardWriteBack(${defs.join(', ')}) { ${fields.join(' ')} }`, variables);
    if (comment?.kind === 'create') commentId = data.comment?.comment.id ?? null;
  }
  // Pool Guard keeps one comment per ticket and one badge: remove what a race or a move left.
  for (const extra of comment?.extras ?? []) if (extra !== commentId) await gql.request(DELETE_COMMENT, { id: extra });
  for (const stale of badge?.deletes ?? []) await gql.request(DELETE_BADGE, { id: stale });
  return commentId;
}

/** The write-back a mutation at a time, from a fresh read (the fallback of writeAtOnce). */
async function writeByParts(gql: LinearGql, deps: WriteBackDeps, cmd: WriteBackCommand): Promise<string | null> {
  const badgePrefix = `${deps.badgeUrlBase.replace(/\/+$/, '')}/`;
  const state = await gql.request<ReadState>(READ_STATE, {
    id: cmd.ticketId || cmd.ticketKey,
    withComments: cmd.comment !== undefined,
    withBadge: cmd.badge !== undefined,
    withPoolLabels: true,
    badgeUrlPrefix: badgePrefix,
    poolLabelNames: [...POOL_LABELS],
  });
  const issue = state.issue;
  if (!issue || issue.trashed === true || issue.archivedAt !== null) throw new TrackerError('not_found', `Linear issue ${cmd.ticketKey} is gone`);
  if (state.issueLabels) deps.labels.load(state.issueLabels.nodes);
  if (cmd.labels && labelChange(issue, cmd.labels)) await writeLabels(gql, deps, issue, cmd.labels);
  const commentId = cmd.comment ? await writeComment(gql, issue, cmd.comment) : null;
  if (cmd.badge !== undefined) await writeBadge(gql, deps, issue, cmd.badge);
  return commentId;
}

/** Pool labels to add (by name) and label ids to remove; null when the issue already shows them. */
function labelChange(issue: IssueState, labels: { add: PoolLabel[]; remove: PoolLabel[] }): { toAdd: PoolLabel[]; removedLabelIds: string[] } | null {
  const present = new Map<string, string[]>();
  for (const label of issue.labels.nodes) present.set(label.name, [...(present.get(label.name) ?? []), label.id]);
  const toAdd = [...new Set(labels.add)].filter((name) => !present.has(name) && !labels.remove.includes(name));
  const removedLabelIds = [...new Set(labels.remove)].flatMap((name) => present.get(name) ?? []);
  return toAdd.length === 0 && removedLabelIds.length === 0 ? null : { toAdd, removedLabelIds };
}

type CommentChange = ({ kind: 'create'; body: string } | { kind: 'update'; id: string; body: string } | { kind: 'same'; id: string }) & {
  /** Pool Guard's other comments on the issue (a race left them), to delete. */
  extras: string[];
};

/** Which comment to write (the given one, else Pool Guard's oldest, else a new one) and how. */
function commentChange(issue: IssueState, comment: NonNullable<WriteBackCommand['comment']>): CommentChange {
  const body = renderCommentMarkdown(comment.doc);
  const mine = [...(issue.comments?.nodes ?? [])].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  const ours = mine.filter((c) => isPoolGuardComment(c.body, comment.doc.title) || isPoolGuardComment(c.body, COMMENT_TITLE));
  const target = mine.find((c) => c.id === comment.commentId) ?? ours[0];
  const extras = ours.map((c) => c.id).filter((id) => id !== target?.id);
  if (!target) return { kind: 'create', body, extras };
  return target.body === body ? { kind: 'same', id: target.id, extras } : { kind: 'update', id: target.id, body, extras };
}

/** The badge attachment to create or update (null when it shows already) and stale ones to delete. */
function badgeChange(deps: WriteBackDeps, issue: IssueState, badge: Badge | null): { upsert: Record<string, unknown> | null; deletes: string[] } {
  const existing = issue.attachments?.nodes ?? [];
  if (badge === null) return { upsert: null, deletes: existing.map((a) => a.id) };
  const url = badgeUrlOf(deps.badgeUrlBase, issue.identifier);
  const subtitle = badgeSubtitle(badge);
  const metadata = badgeMetadata(badge);
  const current = existing.find((a) => a.url === url);
  const same =
    current !== undefined &&
    current.title === COMMENT_TITLE &&
    current.subtitle === subtitle &&
    JSON.stringify(sortKeys(current.metadata ?? {})) === JSON.stringify(sortKeys(metadata));
  return {
    upsert: same ? null : { issueId: issue.id, url, title: COMMENT_TITLE, subtitle, metadata },
    // A badge under an older identifier (the issue moved teams) is stale.
    deletes: existing.filter((a) => a.url !== url).map((a) => a.id),
  };
}

async function writeLabels(gql: LinearGql, deps: WriteBackDeps, issue: IssueState, labels: { add: PoolLabel[]; remove: PoolLabel[] }): Promise<void> {
  const change = labelChange(issue, labels);
  if (!change) return;
  const apply = async (): Promise<void> => {
    const addedLabelIds: string[] = [];
    for (const name of change.toAdd) addedLabelIds.push(await ensureLabel(gql, deps, issue.team.id, name));
    await gql.request(UPDATE_LABELS, {
      id: issue.id,
      input: {
        ...(addedLabelIds.length > 0 ? { addedLabelIds } : {}),
        ...(change.removedLabelIds.length > 0 ? { removedLabelIds: change.removedLabelIds } : {}),
      },
    });
  };
  try {
    await apply();
  } catch (err) {
    // A cached label may have been deleted in Linear meanwhile (Linear answers invalid input or
    // "not found"): look the labels up again, once. The issue itself was there a moment ago.
    if (!(isTrackerError(err) && (err.kind === 'invalid' || err.kind === 'not_found') && change.toAdd.length > 0)) throw err;
    deps.logger.info({ ticket: issue.identifier, err: err.message }, 'linear pool labels changed; looking them up again');
    deps.labels.invalidate();
    await apply();
  }
}

/** The id of the pool label `name` usable in the team, created in the team when missing. */
async function ensureLabel(gql: LinearGql, deps: WriteBackDeps, teamId: string, name: PoolLabel): Promise<string> {
  if (!deps.labels.isLoaded) await reloadLabels(gql, deps);
  const known = deps.labels.find(teamId, name);
  if (known) return known;
  try {
    const created = await gql.request<{ issueLabelCreate: { issueLabel: { id: string; name: string } } }>(CREATE_LABEL, {
      input: { name, teamId, color: POOL_LABEL_COLORS[name], description: 'Set by Pool Guard: where this custom request stands in its capacity pool.' },
    });
    deps.labels.remember(teamId, name, created.issueLabelCreate.issueLabel.id);
    return created.issueLabelCreate.issueLabel.id;
  } catch (err) {
    // Someone created it since the lookup (Linear rejects duplicate names): look again.
    if (!(isTrackerError(err) && err.kind === 'invalid')) throw err;
    await reloadLabels(gql, deps);
    const found = deps.labels.find(teamId, name);
    if (!found) throw err;
    return found;
  }
}

async function reloadLabels(gql: LinearGql, deps: WriteBackDeps): Promise<void> {
  const data = await gql.request<{ issueLabels: { nodes: Array<{ id: string; name: string; team: { id: string } | null }> } }>(
    LOOKUP_POOL_LABELS,
    { names: [...POOL_LABELS] },
  );
  deps.labels.load(data.issueLabels.nodes);
}

async function writeComment(gql: LinearGql, issue: IssueState, comment: NonNullable<WriteBackCommand['comment']>): Promise<string> {
  const change = commentChange(issue, comment);
  let id: string;
  if (change.kind === 'create') {
    const created = await gql.request<{ commentCreate: { comment: { id: string } } }>(CREATE_COMMENT, {
      input: { issueId: issue.id, body: change.body, doNotSubscribeToIssue: true },
    });
    id = created.commentCreate.comment.id;
  } else {
    id = change.id;
    if (change.kind === 'update') await gql.request(UPDATE_COMMENT, { id, input: { body: change.body } });
  }
  // Pool Guard keeps one comment per ticket: remove any second one a race left behind.
  for (const extra of change.extras) if (extra !== id) await gql.request(DELETE_COMMENT, { id: extra });
  return id;
}

async function writeBadge(gql: LinearGql, deps: WriteBackDeps, issue: IssueState, badge: Badge | null): Promise<void> {
  const change = badgeChange(deps, issue, badge);
  if (change.upsert) await gql.request(UPSERT_BADGE, { input: change.upsert });
  for (const stale of change.deletes) await gql.request(DELETE_BADGE, { id: stale });
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
