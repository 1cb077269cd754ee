/**
 * The words a sales rep reads on the ticket: where the request stands and what to do about it.
 * Plain and short; the first sentence is the answer, the numbers follow, the options close.
 */
import { formatDays, formatNumber } from './format-days.js';
import type { CommentDoc, CommentSpan } from './pool-state.js';
import type { QuarterId } from './quarter.js';
import type { TicketPoolView } from './ticket-view.js';

/** The title of Pool Guard's comment; plugins find the comment by it, so never change it. */
export const COMMENT_TITLE = 'Custom-work pool';

/** Why a ticket no longer counts against the pool it was in. */
export type LeftPoolReason = 'no-longer-custom' | 'canceled' | 'moved';

/** Where a request stands in its pool and what the rep can do about it. */
export function commentForView(view: TicketPoolView): CommentDoc {
  const paragraphs: CommentSpan[][] = [headline(view), [plain(poolLine(view))], [plain(requestLine(view))]];
  if (view.state === 'over-limit') paragraphs.push([plain(waitingOptions(view))]);
  return { title: COMMENT_TITLE, paragraphs };
}

/** The note left when a ticket stops counting against a pool (its days are free again). */
export function commentForLeftPool(left: { key: string; scope: string; quarter: QuarterId; reason: LeftPoolReason }): CommentDoc {
  const pool = `the pool for ${left.scope} in ${left.quarter}`;
  const paragraphs: Record<LeftPoolReason, CommentSpan[]> = {
    'no-longer-custom': [
      bold('No longer counted.'),
      plain(` This is no longer marked as a custom request, so it has left ${pool} and its days are free again.`),
    ],
    canceled: [
      bold('No longer counted: canceled.'),
      plain(` Its days in ${pool} are free again. If it is reopened, it will be counted again.`),
    ],
    moved: [
      bold('Moved out of this pool.'),
      plain(` It no longer belongs to ${pool} (its due date, project or team changed), so its days there are free again.`),
    ],
  };
  return { title: COMMENT_TITLE, paragraphs: [paragraphs[left.reason]] };
}

/** Title and paragraphs as plain text, one per line: what is compared with the last comment written. */
export function commentPlainText(doc: CommentDoc): string {
  return [doc.title, ...doc.paragraphs.map((spans) => spans.map((s) => s.text).join(''))].join('\n');
}

/** The state in words (bold) and the immediate consequence. */
function headline(view: TicketPoolView): CommentSpan[] {
  switch (view.state) {
    case 'ok':
      return [bold('Fits in the pool.'), plain(' Nothing to do.')];
    case 'near-limit':
      return view.overdrawn
        ? [
            bold('Counted, but the pool is overdrawn.'),
            plain(' New requests wait until work moves out or an admin raises the limit. Nothing to do for this request.'),
          ]
        : [bold(`Fits, but the pool is almost full: ${daysLeft(view.freeDays ?? 0)}.`), plain(' Nothing to do for this request.')];
    case 'over-limit':
      return [bold('Waiting: it does not fit in the pool.'), plain(' It is not counted until there is room for it.')];
    case 'needs-estimate':
      return [bold('Needs an estimate.'), plain(' Add an original estimate or story points so it can be counted against the pool.')];
    case 'no-limit':
      return [
        bold(`No pool is set for ${view.scope} in ${view.quarter}.`),
        plain(' Nothing is checked against a limit; ask a Pool Guard admin to set one.'),
      ];
    default: {
      const _exhaustive: never = view.state;
      throw new Error(`Unknown request state ${String(_exhaustive)}`);
    }
  }
}

function daysLeft(free: number): string {
  return free > 0 ? `${formatDays(free)} left` : 'no days left';
}

/** `Pool for ENG in 2026-Q4: 8 of 10 days used, 2 days free.` */
function poolLine(view: TicketPoolView): string {
  const pool = `Pool for ${view.scope} in ${view.quarter}`;
  if (view.limitDays === null) return `${pool}: no limit set, ${formatDays(view.usedDays)} of custom work so far.`;
  const used = `${formatNumber(view.usedDays)} of ${formatDays(view.limitDays)} used`;
  if (view.overdrawn) {
    return `${pool}: ${used}. Committed work (in progress or done) already exceeds the limit by ${formatDays(view.usedDays - view.limitDays)}.`;
  }
  return `${pool}: ${used}, ${formatDays(view.freeDays ?? 0)} free.`;
}

/** `This request: 3 days, rank 4 of 6.` */
function requestLine(view: TicketPoolView): string {
  const size = view.days === null ? 'no estimate yet' : formatDays(view.days);
  const line = `This request: ${size}, rank ${view.rank} of ${view.poolSize}.`;
  return view.standing === 'committed' ? `${line} It is in progress or done, so it is counted first.` : line;
}

/** What a rep can do about a waiting request, best option first. */
function waitingOptions(view: TicketPoolView): string {
  const sentences: string[] = [];
  if (view.overdrawn) {
    sentences.push(`Nothing new fits in ${view.quarter} until committed work is back under the limit.`);
  }
  const inThisQuarter: string[] = [];
  if (!view.overdrawn && view.lastAdmittedAboveKey !== null) {
    inThisQuarter.push(`move it up the ranking (at least above ${view.lastAdmittedAboveKey}, the last request that fits)`);
  }
  if (view.fitsIfAtMostDays !== null && view.fitsIfAtMostDays > 0) {
    inThisQuarter.push(`shrink its estimate to at most ${formatDays(view.fitsIfAtMostDays)}`);
  }
  if (inThisQuarter.length > 0) sentences.push(`To fit it in ${view.quarter}, ${inThisQuarter.join(' or ')}.`);
  const next = view.nextQuarterWithRoom;
  if (next !== null) {
    const verb = inThisQuarter.length > 0 ? 'Or plan' : 'Plan';
    sentences.push(`${verb} it for ${next.quarter}, which has ${formatDays(next.freeDays)} free.`);
  }
  if (inThisQuarter.length === 0 && next === null) {
    sentences.push(`Ask a Pool Guard admin to raise the limit for ${view.scope} in ${view.quarter}, or plan it for a later quarter.`);
  }
  return sentences.join(' ');
}

function plain(text: string): CommentSpan {
  return { text };
}

function bold(text: string): CommentSpan {
  return { text, bold: true };
}
