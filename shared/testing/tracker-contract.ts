/**
 * The conformance tests every tracker plugin must pass, run against that tracker's sandbox (as BullMQ
 * runs one suite against each Redis client). A plugin's test file calls
 *
 *   describeTrackerContract('Jira', async () => ({ plugin, client, scope: 'CR', ...sandboxControls }));
 *
 * The harness gives the plugin, a connected client and a few controls that read or change the sandbox
 * directly (never through the plugin under test). Jest globals come from `@jest/globals`, so import
 * this file only from test files (it is not re-exported by `@pool-guard/shared/testing`).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Badge, CommentDoc } from '../domain/pool-state.js';
import type { TrackerClient, TrackerPlugin } from '../tracker/tracker-adapter.js';
import { isTrackerError } from '../tracker/tracker-error.js';

export interface ContractTicketInput {
  scope: string;
  title: string;
  labels: string[];
  estimateSeconds?: number;
  points?: number;
  /** `YYYY-MM-DD`. */
  dueDate?: string;
}

export interface TrackerContractHarness {
  plugin: TrackerPlugin;
  /** A client connected to the sandbox as Pool Guard's own account. */
  client: TrackerClient;
  /** The scope (Jira project key, Linear team key) where the contract creates tickets. */
  scope: string;
  /** Which estimate kinds the tracker holds (Jira: both; Linear: points only). Default both. */
  estimates?: { seconds: boolean; points: boolean };
  /** Creates a ticket as a person would (not through the plugin); returns its key. */
  createTicket(input: ContractTicketInput): Promise<string>;
  /** The ticket's labels as the sandbox has them now. */
  ticketLabels(key: string): Promise<string[]>;
  /** Plain texts of Pool Guard's comments on the ticket (authored by Pool Guard's account, titled). */
  poolGuardComments(key: string): Promise<string[]>;
  /** The badge the ticket carries now, null when none. */
  badge(key: string): Promise<Badge | null>;
  /** Makes the next `times` API calls of the client answer with the tracker's rate-limit error. */
  injectRateLimit(times: number): Promise<void> | void;
  /** Stops servers and releases everything the harness started. */
  close(): Promise<void>;
}

const TITLE = 'Custom-work pool';

function doc(words: string): CommentDoc {
  return {
    title: TITLE,
    paragraphs: [
      [{ text: 'This request is ' }, { text: words, bold: true }, { text: ' in the pool.' }],
      [{ text: 'Used 12 of 20 days this quarter.' }],
    ],
  };
}

const BADGE: Badge = { quarter: '2026-Q4', scope: 'X', state: 'near-limit', usedDays: 17, limitDays: 20, days: 3, rank: 4 };

export function describeTrackerContract(name: string, setup: () => Promise<TrackerContractHarness>): void {
  describe(`${name} tracker contract`, () => {
    let h: TrackerContractHarness;

    beforeAll(async () => {
      h = await setup();
    });

    afterAll(async () => {
      await h?.close();
    });

    it('whoAmI returns the account Pool Guard acts as', async () => {
      const me = await h.client.whoAmI();
      expect(typeof me.accountId).toBe('string');
      expect(me.accountId.length).toBeGreaterThan(0);
      expect(typeof me.displayName).toBe('string');
    });

    it('fetchTicket maps a created custom ticket: scope, labels, estimate, progress, dates', async () => {
      const estimates = h.estimates ?? { seconds: true, points: true };
      const key = await h.createTicket({
        scope: h.scope,
        title: 'Contract: Acme SSO',
        labels: ['custom-request', 'contract-keep'],
        ...(estimates.seconds ? { estimateSeconds: 57_600 } : {}),
        ...(estimates.points ? { points: 5 } : {}),
        dueDate: '2026-12-15',
      });
      const ticket = await h.client.fetchTicket(key);
      expect(ticket).not.toBeNull();
      expect(ticket!.key).toBe(key);
      expect(ticket!.id.length).toBeGreaterThan(0);
      expect(ticket!.scope).toBe(h.scope);
      expect(ticket!.title).toBe('Contract: Acme SSO');
      expect([...ticket!.labels].sort()).toEqual(['contract-keep', 'custom-request']);
      expect(ticket!.estimate.seconds).toBe(estimates.seconds ? 57_600 : null);
      expect(ticket!.estimate.points).toBe(estimates.points ? 5 : null);
      expect(ticket!.dueDate).toBe('2026-12-15');
      expect(ticket!.progress).toBe('not-started');
      expect(new Date(ticket!.createdAt).toISOString()).toBe(ticket!.createdAt);
      expect(new Date(ticket!.updatedAt).toISOString()).toBe(ticket!.updatedAt);
      expect(Date.parse(ticket!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(ticket!.createdAt));
    });

    it('fetchTicket of a ticket that does not exist returns null', async () => {
      await expect(h.client.fetchTicket(`${h.scope}-987654`)).resolves.toBeNull();
    });

    it('writeBack creates one Pool Guard comment, then edits it in place (also when the stored id is lost)', async () => {
      const key = await h.createTicket({ scope: h.scope, title: 'Contract: comment', labels: ['custom-request'] });
      const ticket = (await h.client.fetchTicket(key))!;
      const first = await h.client.writeBack({ ticketKey: key, ticketId: ticket.id, comment: { doc: doc('admitted'), commentId: null } });
      expect(first.commentId).not.toBeNull();
      expect(first.calls).toBeGreaterThan(0);
      let comments = await h.poolGuardComments(key);
      expect(comments).toHaveLength(1);
      expect(comments[0]).toContain(TITLE);
      expect(comments[0]).toContain('admitted');

      const second = await h.client.writeBack({ ticketKey: key, ticketId: ticket.id, comment: { doc: doc('waiting'), commentId: first.commentId } });
      expect(second.commentId).toBe(first.commentId);
      comments = await h.poolGuardComments(key);
      expect(comments).toHaveLength(1);
      expect(comments[0]).toContain('waiting');
      expect(comments[0]).not.toContain('admitted');

      const third = await h.client.writeBack({ ticketKey: key, ticketId: ticket.id, comment: { doc: doc('over the limit'), commentId: null } });
      expect(third.commentId).toBe(first.commentId);
      comments = await h.poolGuardComments(key);
      expect(comments).toHaveLength(1);
      expect(comments[0]).toContain('over the limit');
    });

    it('writeBack adds and removes pool labels only, leaving other labels alone', async () => {
      const key = await h.createTicket({ scope: h.scope, title: 'Contract: labels', labels: ['custom-request', 'contract-keep', 'pool-ok'] });
      const ticket = (await h.client.fetchTicket(key))!;
      await h.client.writeBack({ ticketKey: key, ticketId: ticket.id, labels: { add: ['pool-over-limit'], remove: ['pool-ok'] } });
      expect([...(await h.ticketLabels(key))].sort()).toEqual(['contract-keep', 'custom-request', 'pool-over-limit']);
      await h.client.writeBack({ ticketKey: key, ticketId: ticket.id, labels: { add: ['pool-over-limit'], remove: ['pool-near-limit'] } });
      expect([...(await h.ticketLabels(key))].sort()).toEqual(['contract-keep', 'custom-request', 'pool-over-limit']);
    });

    it('writeBack sets the badge, then removes it with null', async () => {
      const key = await h.createTicket({ scope: h.scope, title: 'Contract: badge', labels: ['custom-request'] });
      const ticket = (await h.client.fetchTicket(key))!;
      const badge: Badge = { ...BADGE, scope: h.scope };
      await h.client.writeBack({ ticketKey: key, ticketId: ticket.id, badge });
      expect(await h.badge(key)).toEqual(badge);
      await h.client.writeBack({ ticketKey: key, ticketId: ticket.id, badge: { ...badge, state: 'over-limit', usedDays: 21 } });
      expect(await h.badge(key)).toEqual({ ...badge, state: 'over-limit', usedDays: 21 });
      await h.client.writeBack({ ticketKey: key, ticketId: ticket.id, badge: null });
      expect(await h.badge(key)).toBeNull();
      await h.client.writeBack({ ticketKey: key, ticketId: ticket.id, badge: null });
      expect(await h.badge(key)).toBeNull();
    });

    it('a rate-limited call fails with TrackerError rate_limited and a retry delay', async () => {
      const key = await h.createTicket({ scope: h.scope, title: 'Contract: rate limit', labels: ['custom-request'] });
      await h.client.fetchTicket(key);
      await h.injectRateLimit(1);
      let caught: unknown = null;
      try {
        await h.client.fetchTicket(key);
      } catch (err) {
        caught = err;
      }
      expect(isTrackerError(caught)).toBe(true);
      if (!isTrackerError(caught)) return;
      expect(caught.kind).toBe('rate_limited');
      expect(caught.retryable).toBe(true);
      expect(caught.retryAfterMs).toBeGreaterThan(0);
      await expect(h.client.fetchTicket(key)).resolves.not.toBeNull();
    });
  });
}
