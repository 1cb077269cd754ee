import {
  POOL_LABELS,
  badgeOf,
  commentForView,
  commentPlainText,
  labelForState,
  viewTicketInPool,
  type Badge,
  type CommentDoc,
  type PoolLabel,
  type PoolOutcome,
  type PoolRequest,
  type QuarterWithRoom,
} from '@pool-guard/shared/domain';
import type { WrittenState } from '@pool-guard/shared/store';
import type { WriteBackCommand } from '@pool-guard/shared/tracker';

/** What a ticket should carry: one pool label (or none), the badge (or none), the comment. */
export interface DesiredTicketState {
  label: PoolLabel | null;
  badge: Badge | null;
  comment: CommentDoc;
}

/** What a request of a pool should show, given the pool's outcome (and, when it waits, where there is room). */
export function desiredStateOf(outcome: PoolOutcome, request: PoolRequest, room: QuarterWithRoom | null): DesiredTicketState {
  const view = viewTicketInPool(outcome, request, room);
  return { label: labelForState(view.state), badge: badgeOf(view), comment: commentForView(view) };
}

/**
 * The write-back command that makes a ticket carry `desired`, given what Pool Guard last wrote.
 * Null when nothing differs: a ticket whose state and figures did not change gets no write.
 */
export function planWriteBack(
  ticket: { key: string; id: string },
  desired: DesiredTicketState,
  written: WrittenState | null,
): { command: WriteBackCommand; next: WrittenState } | null {
  const badgeJson = desired.badge ? JSON.stringify(desired.badge) : null;
  const commentText = commentPlainText(desired.comment);
  const command: WriteBackCommand = { ticketKey: ticket.key, ticketId: ticket.id };
  // A write-back that died midway leaves the ticket unknown: every part is written again.
  const unknown = written?.uncertain === true;
  let changed = false;
  if (unknown || (written?.label ?? null) !== desired.label) {
    command.labels = {
      add: desired.label ? [desired.label] : [],
      remove: POOL_LABELS.filter((l) => l !== desired.label),
    };
    changed = true;
  }
  if (unknown || (written?.badge ?? null) !== badgeJson) {
    command.badge = desired.badge;
    changed = true;
  }
  if (unknown || (written?.comment ?? null) !== commentText) {
    command.comment = { doc: desired.comment, commentId: written?.commentId ?? null };
    changed = true;
  }
  if (!changed) return null;
  return {
    command,
    next: { label: desired.label, badge: badgeJson, comment: commentText, commentId: written?.commentId ?? null },
  };
}
