/**
 * Pages for people looking at the sandbox: the teams with their issues and labels, and one issue
 * with its labels, comments (markdown shown as text) and attachments. Self-contained HTML, every
 * value escaped, links relative to where the sandbox is mounted.
 */
import type { IssueRecord, SandboxStore } from './sandbox-store.js';

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #d8dee4;vertical-align:top}
.label{display:inline-block;border-radius:1rem;padding:0 .55rem;margin:0 .25rem .2rem 0;font-size:12px;border:1px solid #d0d7de;background:#f6f8fa}
.muted{color:#656d76}.comment{border:1px solid #d8dee4;border-radius:6px;padding:.6rem .8rem;margin:.6rem 0}
.comment pre{white-space:pre-wrap;font:inherit;margin:.3rem 0 0}.attachment{border-left:3px solid #5e6ad2;padding:.2rem .7rem;margin:.5rem 0}
a{color:#0969da}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<style>${STYLE}</style></head><body>${body}</body></html>`;
}

function labelChips(store: SandboxStore, issue: IssueRecord): string {
  const labels = store.labelsOf(issue);
  if (labels.length === 0) return '<span class="muted">none</span>';
  return labels
    .map((l) => `<span class="label" style="border-color:${escapeHtml(/^#[0-9a-f]{3,8}$/i.test(l.color) ? l.color : '#d0d7de')}">${escapeHtml(l.name)}</span>`)
    .join('');
}

/** GET / — teams and their issues. `base` is the mount path (req.baseUrl). */
export function renderHome(store: SandboxStore, base: string): string {
  const sections = [...store.teams.values()].map((team) => {
    const issues = [...store.issues.values()].filter((i) => i.teamId === team.id).sort((a, b) => a.number - b.number);
    const rows = issues
      .map((issue) => {
        const id = store.identifierOf(issue);
        const state = store.stateOf(issue);
        const status = issue.trashed ? 'trashed' : issue.archivedAt ? 'archived' : state.name;
        return `<tr><td><a href="${escapeHtml(`${base}/issue/${encodeURIComponent(id)}`)}">${escapeHtml(id)}</a></td>` +
          `<td>${escapeHtml(issue.title)}</td><td>${escapeHtml(status)}</td><td>${escapeHtml(issue.estimate ?? '–')}</td>` +
          `<td>${labelChips(store, issue)}</td></tr>`;
      })
      .join('');
    const table = issues.length
      ? `<table><thead><tr><th>Issue</th><th>Title</th><th>State</th><th>Estimate</th><th>Labels</th></tr></thead><tbody>${rows}</tbody></table>`
      : '<p class="muted">No issues yet.</p>';
    return `<h2>${escapeHtml(team.key)} · ${escapeHtml(team.name)}</h2>${table}`;
  });
  return page(
    'Linear sandbox',
    `<h1>Linear sandbox · ${escapeHtml(store.organization.name)}</h1>` +
      `<p class="muted">A local stand-in for Linear's GraphQL API at <code>${escapeHtml(`${base}/graphql`)}</code>.</p>` +
      sections.join(''),
  );
}

/** GET /issue/:identifier — one issue. */
export function renderIssue(store: SandboxStore, issue: IssueRecord, base: string): string {
  const id = store.identifierOf(issue);
  const state = store.stateOf(issue);
  const comments = store
    .commentsOf(issue.id)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))
    .map((c) => {
      const author = store.users.get(c.userId)?.name ?? c.userId;
      const edited = c.editedAt ? ` · edited ${escapeHtml(c.editedAt)}` : '';
      return `<div class="comment"><div class="muted">${escapeHtml(author)} · ${escapeHtml(c.createdAt)}${edited}</div><pre>${markdownBold(escapeHtml(c.body))}</pre></div>`;
    })
    .join('');
  const attachments = store
    .attachmentsOf(issue.id)
    .map((a) => `<div class="attachment"><strong>${escapeHtml(a.title)}</strong><br>${escapeHtml(a.subtitle ?? '')}<br>` +
      `<span class="muted">${escapeHtml(a.url)}</span></div>`)
    .join('');
  const flags = issue.trashed ? ' · trashed' : issue.archivedAt ? ' · archived' : '';
  return page(
    `${id} · Linear sandbox`,
    `<p><a href="${escapeHtml(`${base}/`)}">← all issues</a></p>` +
      `<h1>${escapeHtml(id)} · ${escapeHtml(issue.title)}</h1>` +
      `<p class="muted">${escapeHtml(state.name)} (${escapeHtml(state.type)})${flags} · estimate ${escapeHtml(issue.estimate ?? 'none')}` +
      ` · due ${escapeHtml(issue.dueDate ?? 'none')} · sort order ${escapeHtml(issue.sortOrder)}</p>` +
      `<h2>Labels</h2><p>${labelChips(store, issue)}</p>` +
      `<h2>Attachments</h2>${attachments || '<p class="muted">None.</p>'}` +
      `<h2>Comments</h2>${comments || '<p class="muted">None.</p>'}`,
  );
}

export function renderNotFound(identifier: string, base: string): string {
  return page('Not found · Linear sandbox', `<p><a href="${escapeHtml(`${base}/`)}">← all issues</a></p><h1>No issue ${escapeHtml(identifier)}</h1>`);
}

/** Shows `**bold**` as Linear would (the only markdown Pool Guard's comments use), on escaped text. */
function markdownBold(escaped: string): string {
  return escaped.replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>');
}
