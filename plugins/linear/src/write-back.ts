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

  if (wantsLabels && cmd.labels) await writeLabels(gql, deps, issue, cmd.labels);
  let commentId: string | null = null;
  if (cmd.comment) commentId = await writeComment(gql, issue, cmd.comment);
  if (cmd.badge !== undefined) await writeBadge(gql, deps, issue, cmd.badge);

  deps.logger.debug({ ticket: issue.identifier, calls: counted.calls() }, 'linear write-back done');
  return { commentId, calls: counted.calls() };
}

async function writeLabels(gql: LinearGql, deps: WriteBackDeps, issue: IssueState, labels: { add: PoolLabel[]; remove: PoolLabel[] }): Promise<void> {
  const present = new Map<string, string[]>();
  for (const label of issue.labels.nodes) present.set(label.name, [...(present.get(label.name) ?? []), label.id]);
  const toAdd = [...new Set(labels.add)].filter((name) => !present.has(name) && !labels.remove.includes(name));
  const removedLabelIds = [...new Set(labels.remove)].flatMap((name) => present.get(name) ?? []);
  if (toAdd.length === 0 && removedLabelIds.length === 0) return;

  const apply = async (): Promise<void> => {
    const addedLabelIds: string[] = [];
    for (const name of toAdd) addedLabelIds.push(await ensureLabel(gql, deps, issue.team.id, name));
    await gql.request(UPDATE_LABELS, {
      id: issue.id,
      input: {
        ...(addedLabelIds.length > 0 ? { addedLabelIds } : {}),
        ...(removedLabelIds.length > 0 ? { removedLabelIds } : {}),
      },
    });
  };
  try {
    await apply();
  } catch (err) {
    // A cached label may have been deleted in Linear meanwhile (Linear answers invalid input or
    // "not found"): look the labels up again, once. The issue itself was there a moment ago.
    if (!(isTrackerError(err) && (err.kind === 'invalid' || err.kind === 'not_found') && toAdd.length > 0)) throw err;
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
  const body = renderCommentMarkdown(comment.doc);
  const mine = [...(issue.comments?.nodes ?? [])].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  const ours = mine.filter((c) => isPoolGuardComment(c.body, comment.doc.title) || isPoolGuardComment(c.body, COMMENT_TITLE));
  const target = mine.find((c) => c.id === comment.commentId) ?? ours[0];

  let id: string;
  if (!target) {
    const created = await gql.request<{ commentCreate: { comment: { id: string } } }>(CREATE_COMMENT, {
      input: { issueId: issue.id, body, doNotSubscribeToIssue: true },
    });
    id = created.commentCreate.comment.id;
  } else {
    id = target.id;
    if (target.body !== body) await gql.request(UPDATE_COMMENT, { id, input: { body } });
  }
  // Pool Guard keeps one comment per ticket: remove any second one a race left behind.
  for (const extra of ours) {
    if (extra.id === id) continue;
    await gql.request(DELETE_COMMENT, { id: extra.id });
  }
  return id;
}

async function writeBadge(gql: LinearGql, deps: WriteBackDeps, issue: IssueState, badge: Badge | null): Promise<void> {
  const existing = issue.attachments?.nodes ?? [];
  const url = badgeUrlOf(deps.badgeUrlBase, issue.identifier);
  if (badge === null) {
    for (const attachment of existing) await gql.request(DELETE_BADGE, { id: attachment.id });
    return;
  }
  const subtitle = badgeSubtitle(badge);
  const metadata = badgeMetadata(badge);
  const current = existing.find((a) => a.url === url);
  const same =
    current !== undefined &&
    current.title === COMMENT_TITLE &&
    current.subtitle === subtitle &&
    JSON.stringify(sortKeys(current.metadata ?? {})) === JSON.stringify(sortKeys(metadata));
  if (!same) {
    await gql.request(UPSERT_BADGE, { input: { issueId: issue.id, url, title: COMMENT_TITLE, subtitle, metadata } });
  }
  // A badge under an older identifier (the issue moved teams) is stale.
  for (const attachment of existing) if (attachment.url !== url) await gql.request(DELETE_BADGE, { id: attachment.id });
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
