/**
 * The states a custom request can be in, and the tracker labels that show them.
 * Label names are a public contract: users build JQL filters and boards on them.
 */

export type RequestState = 'ok' | 'near-limit' | 'over-limit' | 'needs-estimate' | 'no-limit';

export const REQUEST_STATES: readonly RequestState[] = ['ok', 'near-limit', 'over-limit', 'needs-estimate', 'no-limit'];

export type PoolLabel = 'pool-ok' | 'pool-near-limit' | 'pool-over-limit' | 'pool-needs-estimate' | 'pool-no-limit';

export const POOL_LABELS: readonly PoolLabel[] = [
  'pool-ok',
  'pool-near-limit',
  'pool-over-limit',
  'pool-needs-estimate',
  'pool-no-limit',
];

export function labelForState(state: RequestState): PoolLabel {
  return `pool-${state}`;
}

/**
 * The badge data of one ticket: Jira issue property `pool-guard`, Linear attachment subtitle.
 * Its JSON shape is a public contract (the Forge app and users' JQL read it).
 */
export interface Badge {
  quarter: string;
  scope: string;
  state: RequestState;
  usedDays: number;
  limitDays: number | null;
  /** This request's size in days; null when it has no estimate. */
  days: number | null;
  /** 1-based position in the pool's admission order. */
  rank: number;
}

/**
 * Pool Guard's comment, tracker-neutral: a title and paragraphs of plain text, where a span may be
 * bold. Plugins render it (Jira ADF, Linear markdown). `text` is the plain rendering, used to decide
 * whether anything changed since the last write.
 */
export interface CommentSpan {
  text: string;
  bold?: boolean;
}

export interface CommentDoc {
  title: string;
  paragraphs: CommentSpan[][];
}
