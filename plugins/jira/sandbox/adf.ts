/**
 * Atlassian Document Format (ADF) as the sandbox needs it: a loose node type, a validity check for
 * request bodies, and renderings to plain text (tests), wiki markup (REST v2 webhook bodies carry
 * comments as wiki strings) and HTML (the /browse page).
 */

export interface AdfNode {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
  content?: AdfNode[];
  version?: number;
}

export function isAdfDoc(value: unknown): value is AdfNode {
  if (typeof value !== 'object' || value === null) return false;
  const doc = value as Record<string, unknown>;
  return doc.type === 'doc' && doc.version === 1 && Array.isArray(doc.content) && doc.content.every(isAdfNode);
}

function isAdfNode(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const node = value as Record<string, unknown>;
  if (typeof node.type !== 'string') return false;
  if (node.text !== undefined && typeof node.text !== 'string') return false;
  if (node.marks !== undefined && !Array.isArray(node.marks)) return false;
  if (node.content !== undefined && !(Array.isArray(node.content) && node.content.every(isAdfNode))) return false;
  return true;
}

/** A document of plain paragraphs, one per line of `text`. */
export function textToAdf(text: string): AdfNode {
  return {
    type: 'doc',
    version: 1,
    content: text.split('\n').map((line) => ({
      type: 'paragraph',
      content: line === '' ? [] : [{ type: 'text', text: line }],
    })),
  };
}

const BLOCKS = new Set(['paragraph', 'heading', 'blockquote', 'codeBlock', 'listItem', 'panel', 'rule', 'mediaSingle', 'table', 'tableRow']);

/** Plain text: inline text concatenated, blocks separated by newlines. */
export function adfToText(node: AdfNode | null | undefined): string {
  if (!node) return '';
  const out: string[] = [];
  walkText(node, out);
  return out.join('').replace(/\n+$/, '');
}

function walkText(node: AdfNode, out: string[]): void {
  if (node.type === 'text') out.push(node.text ?? '');
  else if (node.type === 'hardBreak') out.push('\n');
  else if (node.type === 'mention' || node.type === 'emoji') out.push(String(node.attrs?.text ?? node.attrs?.shortName ?? ''));
  for (const child of node.content ?? []) walkText(child, out);
  if (BLOCKS.has(node.type)) out.push('\n');
}

/** Wiki markup, the REST v2 representation of a rich-text field. */
export function adfToWiki(node: AdfNode | null | undefined): string {
  if (!node) return '';
  return wikiBlocks(node.content ?? []).join('\n\n');
}

function wikiBlocks(nodes: AdfNode[]): string[] {
  return nodes.map((node) => {
    switch (node.type) {
      case 'heading':
        return `h${Number(node.attrs?.level ?? 1)}. ${wikiInline(node.content ?? [])}`;
      case 'bulletList':
        return (node.content ?? []).map((item) => `* ${wikiBlocks(item.content ?? []).join(' ')}`).join('\n');
      case 'orderedList':
        return (node.content ?? []).map((item) => `# ${wikiBlocks(item.content ?? []).join(' ')}`).join('\n');
      case 'codeBlock':
        return `{code}${wikiInline(node.content ?? [])}{code}`;
      case 'blockquote':
        return `{quote}${wikiBlocks(node.content ?? []).join('\n')}{quote}`;
      case 'rule':
        return '----';
      default:
        return wikiInline(node.content ?? []);
    }
  });
}

function wikiInline(nodes: AdfNode[]): string {
  return nodes
    .map((node) => {
      if (node.type === 'hardBreak') return '\n';
      if (node.type === 'mention') return `[~accountid:${String(node.attrs?.id ?? '')}]`;
      if (node.type !== 'text') return wikiInline(node.content ?? []);
      let text = node.text ?? '';
      for (const mark of node.marks ?? []) {
        if (mark.type === 'strong') text = `*${text}*`;
        else if (mark.type === 'em') text = `_${text}_`;
        else if (mark.type === 'code') text = `{{${text}}}`;
        else if (mark.type === 'link') text = `[${text}|${String(mark.attrs?.href ?? '')}]`;
      }
      return text;
    })
    .join('');
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** HTML for people; every text is escaped and only http(s) links are kept. */
export function adfToHtml(node: AdfNode | null | undefined): string {
  if (!node) return '';
  return htmlNodes(node.content ?? []);
}

function htmlNodes(nodes: AdfNode[]): string {
  return nodes.map(htmlNode).join('');
}

function htmlNode(node: AdfNode): string {
  const inner = (): string => htmlNodes(node.content ?? []);
  switch (node.type) {
    case 'paragraph':
      return `<p>${inner()}</p>`;
    case 'heading': {
      const level = Math.min(6, Math.max(1, Number(node.attrs?.level ?? 1) || 1));
      return `<h${level}>${inner()}</h${level}>`;
    }
    case 'bulletList':
      return `<ul>${inner()}</ul>`;
    case 'orderedList':
      return `<ol>${inner()}</ol>`;
    case 'listItem':
      return `<li>${inner()}</li>`;
    case 'blockquote':
      return `<blockquote>${inner()}</blockquote>`;
    case 'codeBlock':
      return `<pre><code>${inner()}</code></pre>`;
    case 'rule':
      return '<hr>';
    case 'hardBreak':
      return '<br>';
    case 'mention':
    case 'emoji':
      return escapeHtml(String(node.attrs?.text ?? node.attrs?.shortName ?? ''));
    case 'text': {
      let html = escapeHtml(node.text ?? '');
      for (const mark of node.marks ?? []) {
        if (mark.type === 'strong') html = `<strong>${html}</strong>`;
        else if (mark.type === 'em') html = `<em>${html}</em>`;
        else if (mark.type === 'code') html = `<code>${html}</code>`;
        else if (mark.type === 'strike') html = `<s>${html}</s>`;
        else if (mark.type === 'link') {
          const href = String(mark.attrs?.href ?? '');
          if (/^https?:\/\//i.test(href)) html = `<a href="${escapeHtml(href)}" rel="noreferrer">${html}</a>`;
        }
      }
      return html;
    }
    default:
      return inner();
  }
}
