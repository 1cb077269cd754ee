/**
 * Pool Guard's CommentDoc -> Atlassian Document Format: the title as a bold first paragraph, then one
 * paragraph per CommentDoc paragraph with bold spans as `strong` marks and newlines as hard breaks.
 * The title in the first paragraph is how an existing Pool Guard comment is recognised.
 */
import type { CommentDoc, CommentSpan } from '@pool-guard/shared/domain';

export interface AdfNode {
  type: string;
  text?: string;
  marks?: { type: string }[];
  content?: AdfNode[];
  attrs?: Record<string, unknown>;
}

export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

function textNodes(span: CommentSpan): AdfNode[] {
  const marks = span.bold ? { marks: [{ type: 'strong' }] } : {};
  const nodes: AdfNode[] = [];
  span.text.split('\n').forEach((line, i) => {
    if (i > 0) nodes.push({ type: 'hardBreak' });
    // ADF rejects empty text nodes.
    if (line !== '') nodes.push({ type: 'text', text: line, ...marks });
  });
  return nodes;
}

export function renderCommentAdf(doc: CommentDoc): AdfDoc {
  return {
    type: 'doc',
    version: 1,
    content: [
      { type: 'paragraph', content: [{ type: 'text', text: doc.title, marks: [{ type: 'strong' }] }] },
      ...doc.paragraphs.map((spans) => ({ type: 'paragraph', content: spans.flatMap(textNodes) })),
    ],
  };
}

function collectText(node: AdfNode, out: string[]): void {
  if (node.type === 'text' && typeof node.text === 'string') out.push(node.text);
  for (const child of node.content ?? []) collectText(child, out);
}

/** The text of the first block (paragraph or heading) of an ADF document, trimmed. */
export function firstBlockText(body: unknown): string {
  if (typeof body === 'string') return body.split('\n')[0]?.replace(/[*_]/g, '').trim() ?? '';
  if (typeof body !== 'object' || body === null) return '';
  const first = (body as AdfNode).content?.[0];
  if (!first) return '';
  const out: string[] = [];
  collectText(first, out);
  return out.join('').trim();
}
