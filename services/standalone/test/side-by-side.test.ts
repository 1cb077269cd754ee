/**
 * One Pool Guard serving a Jira site and a Linear workspace at once: one stack (receiver, worker,
 * admin API, one Redis prefix), a sandbox of each tracker, a tenant of each. Both have a scope
 * called OPS (a Jira project, a Linear team), and each tenant's pool is its own.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SANDBOX_SEED } from '@pool-guard/plugin-linear/sandbox';
import { shownOn } from './support/jira-stack.js';
import { JIRA_TENANT, LINEAR_TENANT, shownOnLinear, startLinearStack, type LinearStack } from './support/linear-stack.js';

const Q = '2026-Q4';
const DUE = '2026-11-20';

describe('Jira and Linear side by side in one Pool Guard', () => {
  let h: LinearStack;
  const jiraKeys: string[] = [];
  const linearKeys: string[] = [];

  beforeAll(async () => {
    h = await startLinearStack({ jira: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  const jira = () => h.jira!;
  const jiraBotWrites = () => jira().countWrites({ accountId: jira().users.bot.accountId });

  it('serves both tenants from one stack, each pool on its own', async () => {
    expect(h.stacks).toHaveLength(1);
    expect(h.stacks[0]!.runtime.tenants.all().map((t) => `${t.id}:${t.config.tracker}`).sort()).toEqual([
      `${JIRA_TENANT}:jira`,
      `${LINEAR_TENANT}:linear`,
    ]);
    await h.setPool('OPS', Q, 5, 80, JIRA_TENANT);
    await h.setPool('OPS', Q, 4, 80, LINEAR_TENANT);

    // Both trackers at once: a Jira rep and a Linear rep file requests in their OPS.
    const [linear] = await Promise.all([
      (async () => [
        await h.sales.file({ team: 'OPS', title: 'Custom backup window for Globex', labels: ['custom-request'], estimate: 2, dueDate: DUE }),
        await h.sales.file({ team: 'OPS', title: 'Private status page for Initech', labels: ['custom-request'], estimate: 2, dueDate: DUE }),
      ])(),
      (async () => {
        jiraKeys.push(jira().createIssue({ project: 'OPS', summary: 'Dedicated VPN for Acme', labels: ['custom-request'], originalEstimate: '3d', dueDate: DUE }).key);
        jiraKeys.push(jira().createIssue({ project: 'OPS', summary: 'On-prem install for Hooli', labels: ['custom-request'], originalEstimate: '3d', dueDate: DUE }).key);
      })(),
    ]);
    linearKeys.push(...linear.map((l) => l.identifier));
    await h.settle();

    // Jira OPS: 3 of 5 days, the second request waits.
    expect(shownOn(jira(), jiraKeys[0]!).label).toBe('pool-ok');
    expect(shownOn(jira(), jiraKeys[1]!).label).toBe('pool-over-limit');
    expect(shownOn(jira(), jiraKeys[0]!).badge).toEqual({ quarter: Q, scope: 'OPS', state: 'ok', usedDays: 3, limitDays: 5, days: 3, rank: 1 });
    // Linear OPS: 4 of 4 days, both in.
    expect(shownOnLinear(h.linear, linearKeys[0]!).label).toBe('pool-near-limit');
    expect(shownOnLinear(h.linear, linearKeys[1]!).label).toBe('pool-near-limit');
    expect(shownOnLinear(h.linear, linearKeys[1]!).badge!.subtitle).toBe('2026-Q4 · 4 of 4 days · near limit · rank 2');
    for (const k of jiraKeys) expect(shownOn(jira(), k).comments).toHaveLength(1);
    for (const k of linearKeys) expect(shownOnLinear(h.linear, k).comments).toHaveLength(1);

    const jiraPool = await h.pool('OPS', Q, JIRA_TENANT);
    const linearPool = await h.pool('OPS', Q, LINEAR_TENANT);
    expect(jiraPool).toMatchObject({ limitDays: 5, usedDays: 3 });
    expect(jiraPool.requests.map((r: any) => r.key)).toEqual(jiraKeys);
    expect(linearPool).toMatchObject({ limitDays: 4, usedDays: 4 });
    expect(linearPool.requests.map((r: any) => r.key)).toEqual(linearKeys);

    // Each tracker got the answer it wants: Linear exactly 200, Jira a 2xx.
    expect(h.linear.deliveries.every((d) => d.statuses.length === 1 && d.statuses[0] === 200)).toBe(true);
    expect(jira().deliveries.every((d) => d.outcome === 'delivered')).toBe(true);
  });

  it('changes one tenant’s pool without a single write to the other tracker', async () => {
    const linearBefore = h.botWrites();
    const jiraBefore = jiraBotWrites();
    await h.setPool('OPS', Q, 10, 80, LINEAR_TENANT);
    await h.settle();
    expect(shownOnLinear(h.linear, linearKeys[0]!).label).toBe('pool-ok');
    expect(shownOnLinear(h.linear, linearKeys[0]!).badge!.subtitle).toBe('2026-Q4 · 4 of 10 days · within limit · rank 1');
    expect(h.botWrites()).toBeGreaterThan(linearBefore);
    expect(jiraBotWrites()).toBe(jiraBefore);
    expect(shownOn(jira(), jiraKeys[1]!).label).toBe('pool-over-limit');

    const linearMid = h.botWrites();
    jira().editIssue(jiraKeys[1]!, { originalEstimate: '2d' });
    await h.settle();
    // Jira OPS: 3 + 2 = 5 of 5, both in.
    expect(shownOn(jira(), jiraKeys[0]!).label).toBe('pool-near-limit');
    expect(shownOn(jira(), jiraKeys[1]!).label).toBe('pool-near-limit');
    expect(jiraBotWrites()).toBeGreaterThan(jiraBefore);
    expect(h.botWrites()).toBe(linearMid);
    expect((await h.pool('OPS', Q, LINEAR_TENANT)).usedDays).toBe(4);
    expect((await h.pool('OPS', Q, JIRA_TENANT)).usedDays).toBe(5);
  });

  it('keeps the tenants apart in the admin API and on the webhook routes', async () => {
    const jiraPools = await h.api('GET', `/api/v1/tenants/${JIRA_TENANT}/pools?quarter=${Q}`);
    const linearPools = await h.api('GET', `/api/v1/tenants/${LINEAR_TENANT}/pools?quarter=${Q}`);
    expect(jiraPools.status).toBe(200);
    expect(linearPools.status).toBe(200);
    expect(JSON.stringify(jiraPools.body)).not.toContain(linearKeys[0]!);
    expect(JSON.stringify(linearPools.body)).toMatch(/"limitDays":10/);
    expect(JSON.stringify(jiraPools.body)).toMatch(/"limitDays":5/);
    // A tenant is reachable only through its own tracker's route.
    const crossed = await fetch(`${h.url}/webhooks/jira/${LINEAR_TENANT}`, { method: 'POST', body: '{}' });
    expect(crossed.status).toBe(404);
    const crossedBack = await fetch(`${h.url}/webhooks/linear/${JIRA_TENANT}`, { method: 'POST', body: '{}' });
    expect(crossedBack.status).toBe(404);
    // Each tracker saw only its own tenant's credentials: every call was authenticated as a known user.
    expect(jira().requestLog.length).toBeGreaterThan(0);
    expect(jira().requestLog.every((e) => e.accountId === jira().users.bot.accountId)).toBe(true);
    expect(h.linear.requestLog.entries.every((e) => e.userId === SANDBOX_SEED.botUserId || e.userId === SANDBOX_SEED.salesUserId)).toBe(true);
    expect(h.linear.requestLog.entries.every((e) => e.rejected === null)).toBe(true);
  });
});
