/**
 * Pool Guard's comment as Linear markdown: the title in bold on the first line, then one paragraph
 * per CommentDoc paragraph, separated by blank lines, bold spans as `**...**`. Characters markdown
 * would read as formatting are escaped, so a ticket title or key can never break the layout.
 */
import { COMMENT_TITLE, type CommentDoc, type CommentSpan } from '@pool-guard/shared/domain';

function escapeMarkdown(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/([\\*_`~])/g, '\\$1');
}

/** A paragraph must not start like a heading, quote or list item. */
function escapeLineStart(paragraph: string): string {
  return paragraph.replace(/^(\s*)([#>+-]|\d+[.)])/, (_m, space: string, mark: string) => `${space}\\${mark}`);
}

function renderSpan(span: CommentSpan): string {
  const text = escapeMarkdown(span.text);
  if (!span.bold) return text;
  // `** bold **` does not render as bold: keep the spaces outside the markers.
  const match = /^(\s*)(.*?)(\s*)$/s.exec(text);
  const [, lead = '', core = '', trail = ''] = match ?? [];
  return core ? `${lead}**${core}**${trail}` : text;
}

export function renderCommentMarkdown(doc: CommentDoc): string {
  const paragraphs = doc.paragraphs
    .map((spans) => escapeLineStart(spans.map(renderSpan).join('').trim()))
    .filter((p) => p.length > 0);
  return [`**${escapeMarkdown(doc.title)}**`, ...paragraphs].join('\n\n');
}

/** True when a comment body is Pool Guard's: its first line is the bold comment title. */
export function isPoolGuardComment(body: string, title: string = COMMENT_TITLE): boolean {
  const firstLine = body.trimStart().split('\n', 1)[0] ?? '';
  const plain = firstLine.replace(/\\(.)/g, '$1').replace(/[*_#]/g, '').trim();
  return plain === title;
}
