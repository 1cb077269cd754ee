/**
 * listTickets for sweeps: with `withMarks` each listed issue comes with Pool Guard's marks (its
 * badge attachment's metadata and the ids of the bot's own comments), in the same query.
 */
import type { LinearTenantConfig } from '@pool-guard/shared/config';
import type { Badge } from '@pool-guard/shared/domain';
import { silentLogger } from '@pool-guard/shared/logging';
import { linearPlugin } from '../src/index.js';
import { sandboxTenant } from './linear-test-tenant.js';
import { createLinearSandbox, type LinearSandbox } from '../sandbox/index.js';

const BADGE: Badge = { quarter: '2026-Q4', scope: 'ENG', state: 'needs-estimate', usedDays: 0, limitDays: 10, days: null, rank: 1 };
const DOC = { title: 'Custom-work pool', paragraphs: [[{ text: 'Needs an estimate.' }]] };

let sandbox: LinearSandbox;
let apiUrl: string;

function tenant(): LinearTenantConfig {
  return sandboxTenant(apiUrl);
}

beforeAll(async () => {
  sandbox = createLinearSandbox();
  apiUrl = await sandbox.listen();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

describe('listTickets with marks', () => {
  it('reads the badge attachment and the bot comment ids of each issue in the one query', async () => {
    const client = linearPlugin.connect(tenant(), { logger: silentLogger() });
    const marked = await sandbox.createIssue({ team: 'ENG', title: 'Marked', labels: ['custom-request'] });
    const bare = await sandbox.createIssue({ team: 'ENG', title: 'Bare', labels: ['custom-request'] });
    const { commentId } = await client.writeBack({ ticketKey: marked.identifier, ticketId: marked.id, labels: { add: ['pool-needs-estimate'], remove: [] }, badge: BADGE, comment: { doc: DOC, commentId: null } });
    await sandbox.graphql('mutation($input: CommentCreateInput!) { commentCreate(input: $input) { success } }', { input: { issueId: marked.id, body: 'When?' } }, 'sales');
    const before = sandbox.requestLog.countRequests();

    const page = await client.listTickets({ scopes: ['ENG'], labels: ['custom-request'], updatedSince: null, cursor: null, pageSize: 50, withMarks: true });
    expect(sandbox.requestLog.countRequests()).toBe(before + 1);
    // Linear keeps the metadata's string and number values: the null fields are absent.
    const { days: _days, ...metadata } = BADGE;
    expect(page.marks?.get(marked.id)).toEqual({ badge: metadata, commentIds: [commentId] });
    expect(page.marks?.get(bare.id)).toEqual({ badge: null, commentIds: [] });
    expect(page.tickets.find((t) => t.id === marked.id)?.labels.sort()).toEqual(['custom-request', 'pool-needs-estimate']);

    const plain = await client.listTickets({ scopes: ['ENG'], labels: ['custom-request'], updatedSince: null, cursor: null, pageSize: 50 });
    expect(plain.marks).toBeUndefined();
    expect(plain.tickets).toEqual(page.tickets);
  });
});
