/**
 * Pages for people watching a demo: `/` lists each project's issues with their labels, and
 * `/browse/{key}` shows one issue with its Pool Guard badge (the `pool-guard` issue property) and
 * comments. Self-contained HTML; every text goes through escapeHtml.
 */
import { adfToHtml, escapeHtml as e } from './adf.js';
import { formatDuration } from './jira-format.js';
import { compare, type IssueRecord, type SandboxState } from './sandbox-state.js';
import { findStatus, ISSUE_TYPES } from './seed-data.js';

const STYLE = `
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f5f7;color:#172b4d}
header{background:#0052cc;color:#fff;padding:10px 24px}header a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:1000px;margin:24px auto;padding:0 16px}
section{background:#fff;border-radius:6px;padding:16px 20px;margin-bottom:20px;box-shadow:0 1px 2px rgba(9,30,66,.2)}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #ebecf0;vertical-align:top}
th{font-size:12px;text-transform:uppercase;color:#5e6c84}
a{color:#0052cc}
.chip{display:inline-block;border-radius:3px;padding:0 6px;margin:0 4px 2px 0;font-size:12px;background:#dfe1e6}
.chip.pool-ok{background:#e3fcef;color:#006644}.chip.pool-near-limit{background:#fffae6;color:#974f0c}
.chip.pool-over-limit{background:#ffebe6;color:#bf2600}.chip.pool-needs-estimate{background:#eae6ff;color:#403294}
.chip.pool-no-limit{background:#deebff;color:#0747a6}
.status{font-size:12px;font-weight:700;text-transform:uppercase;padding:1px 6px;border-radius:3px;background:#dfe1e6}
.status.indeterminate{background:#deebff;color:#0747a6}.status.done{background:#e3fcef;color:#006644}
.badge{border:2px solid #0052cc;border-radius:6px;padding:10px 14px;display:inline-block}
.badge.ok{border-color:#36b37e}.badge.near-limit{border-color:#ffab00}.badge.over-limit{border-color:#de350b}
.badge.needs-estimate{border-color:#6554c0}
dl{display:grid;grid-template-columns:160px 1fr;gap:4px 12px;margin:0}dt{color:#5e6c84}dd{margin:0}
.comment{border-top:1px solid #ebecf0;padding:10px 0}.meta{color:#5e6c84;font-size:13px}
code{font-size:13px}
`;

function page(title: string, root: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head>
<body><header><a href="${e(root)}/">Jira sandbox</a></header><main>${body}</main></body></html>`;
}

function chips(labels: string[]): string {
  return labels.map((l) => `<span class="chip ${l.startsWith('pool-') ? e(l) : ''}">${e(l)}</span>`).join('') || '<span class="meta">none</span>';
}

function statusChip(issue: IssueRecord): string {
  const status = findStatus(issue.statusId);
  return `<span class="status ${e(status.category.key)}">${e(status.name)}</span>`;
}

function estimateText(issue: IssueRecord, state: SandboxState): string {
  const parts: string[] = [];
  if (issue.originalEstimate !== null) parts.push(formatDuration(issue.originalEstimate));
  if (issue.storyPoints !== null) parts.push(`${issue.storyPoints} pts (${state.storyPointsField.name})`);
  return parts.join(' · ') || '—';
}

function badgeHtml(value: unknown): string {
  if (value === undefined) return '<span class="meta">no <code>pool-guard</code> property</span>';
  if (typeof value !== 'object' || value === null) return `<code>${e(JSON.stringify(value))}</code>`;
  const b = value as Record<string, unknown>;
  const state = typeof b.state === 'string' ? b.state : '';
  const limit = b.limitDays === null || b.limitDays === undefined ? 'no limit' : `${String(b.limitDays)} days`;
  const lines = [
    `<strong>${e(state || 'unknown')}</strong> — ${e(String(b.scope ?? ''))} ${e(String(b.quarter ?? ''))}`,
    `used ${e(String(b.usedDays ?? '?'))} of ${e(limit)}`,
    `this request: ${b.days === null || b.days === undefined ? 'no estimate' : `${e(String(b.days))} days`}, rank ${e(String(b.rank ?? '?'))}`,
  ];
  return `<div class="badge ${e(state)}">${lines.join('<br>')}</div>`;
}

export function renderIndex(state: SandboxState, root: string): string {
  const sections = state.projects.map((project) => {
    const issues = state
      .all()
      .filter((i) => i.projectKey === project.key)
      .sort((a, b) => compare(a.rank, b.rank));
    const rows = issues
      .map(
        (i) => `<tr><td><a href="${e(root)}/browse/${e(i.key)}">${e(i.key)}</a></td><td>${e(i.summary)}</td><td>${statusChip(i)}</td>
<td>${e(estimateText(i, state))}</td><td>${chips(i.labels)}</td><td>${e(badgeState(i))}</td></tr>`,
      )
      .join('\n');
    return `<section><h2>${e(project.name)} <span class="meta">(${e(project.key)})</span></h2>
${issues.length === 0 ? '<p class="meta">No issues.</p>' : `<table><thead><tr><th>Key</th><th>Summary</th><th>Status</th><th>Estimate</th><th>Labels</th><th>Pool Guard</th></tr></thead><tbody>${rows}</tbody></table>`}
</section>`;
  });
  return page('Jira sandbox', root, `<h1>Projects</h1>${sections.join('\n')}`);
}

function badgeState(issue: IssueRecord): string {
  const badge = issue.properties.get('pool-guard');
  if (typeof badge === 'object' && badge !== null && typeof (badge as Record<string, unknown>).state === 'string') {
    return String((badge as Record<string, unknown>).state);
  }
  return '';
}

export function renderIssue(state: SandboxState, issue: IssueRecord, root: string): string {
  const type = ISSUE_TYPES.find((t) => t.id === issue.issueTypeId);
  const time = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  const comments = issue.comments
    .map((c) => {
      const author = state.userOrUnknown(c.authorId).displayName;
      const edited = c.updated !== c.created ? ` · edited ${e(time(c.updated))}` : '';
      return `<div class="comment" id="comment-${e(c.id)}"><div class="meta"><strong>${e(author)}</strong> · ${e(time(c.created))}${edited}</div>${adfToHtml(c.body)}</div>`;
    })
    .join('\n');
  const body = `<section><p class="meta"><a href="${e(root)}/">Projects</a> / ${e(issue.projectKey)} / ${e(issue.key)}</p>
<h1>${e(issue.summary)}</h1>
<dl>
<dt>Type</dt><dd>${e(type?.name ?? '')}</dd>
<dt>Status</dt><dd>${statusChip(issue)}</dd>
<dt>Estimate</dt><dd>${e(estimateText(issue, state))}</dd>
<dt>Due date</dt><dd>${e(issue.dueDate ?? '—')}</dd>
<dt>Rank</dt><dd><code>${e(issue.rank)}</code></dd>
<dt>Labels</dt><dd>${chips(issue.labels)}</dd>
<dt>Reporter</dt><dd>${e(state.userOrUnknown(issue.reporterId).displayName)}</dd>
<dt>Created</dt><dd>${e(time(issue.created))}</dd>
<dt>Updated</dt><dd>${e(time(issue.updated))}</dd>
</dl></section>
<section><h2>Pool Guard</h2>${badgeHtml(issue.properties.get('pool-guard'))}</section>
${issue.description ? `<section><h2>Description</h2>${adfToHtml(issue.description)}</section>` : ''}
<section><h2>Comments (${issue.comments.length})</h2>${comments || '<p class="meta">No comments.</p>'}</section>`;
  return page(`${issue.key}: ${issue.summary}`, root, body);
}

export function renderNotFound(key: string, root: string): string {
  return page('Issue not found', root, `<section><h1>Issue not found</h1><p>${e(key)} does not exist or was deleted.</p></section>`);
}
