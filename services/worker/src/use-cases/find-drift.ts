import { POOL_LABELS } from '@pool-guard/shared/domain';
import type { WrittenPart, WrittenState } from '@pool-guard/shared/store';
import type { TicketMarks } from '@pool-guard/shared/tracker';

/** The badge's fields (the Jira property's JSON and the Linear attachment metadata). */
const BADGE_FIELDS = ['quarter', 'scope', 'state', 'usedDays', 'limitDays', 'days', 'rank'] as const;
const POOL_LABEL_SET = new Set<string>(POOL_LABELS);

/** What a ticket shows now, as a sweep's listing read it. */
export interface ShownMarks {
  labels: readonly string[];
  /** Absent when the listing did not read the marks: only the labels are compared then. */
  marks?: TicketMarks | undefined;
}

/**
 * The parts of a ticket whose marks differ from what Pool Guard last wrote, i.e. that someone else
 * changed: its pool labels (one removed, another added), its badge (edited or deleted) or its
 * comment (deleted). A ticket Pool Guard never wrote to has no drift (its first write-back is due
 * anyway). A part the listing could not read is never reported.
 */
export function findDrift(shown: ShownMarks, written: WrittenState | null): WrittenPart[] {
  if (!written) return [];
  const parts: WrittenPart[] = [];
  const poolLabels = [...new Set(shown.labels.filter((l) => POOL_LABEL_SET.has(l)))].sort();
  const expected = written.label ? [written.label] : [];
  if (poolLabels.join('\n') !== expected.join('\n')) parts.push('label');

  const marks = shown.marks;
  if (!marks) return parts;
  if (!sameBadge(marks.badge, written.badge)) parts.push('badge');
  if (written.comment !== null && marks.commentIds !== null) {
    const gone = written.commentId !== null ? !marks.commentIds.includes(written.commentId) : marks.commentIds.length === 0;
    if (gone) parts.push('comment');
  }
  return parts;
}

/** The badge on the ticket against the JSON last written. Absent fields count as null (Linear drops them). */
export function sameBadge(shown: Record<string, unknown> | null, writtenJson: string | null): boolean {
  if (shown === null || writtenJson === null) return shown === null && writtenJson === null;
  const written = JSON.parse(writtenJson) as Record<string, unknown>;
  if (Object.keys(shown).some((k) => !(BADGE_FIELDS as readonly string[]).includes(k))) return false;
  return BADGE_FIELDS.every((f) => (shown[f] ?? null) === (written[f] ?? null));
}
