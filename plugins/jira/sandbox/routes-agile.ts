/** Jira Software's agile REST API: ranking issues (not part of the platform v3 spec). */
import { badRequest } from './jira-format.js';
import { bodyObject, type SandboxRoute } from './route-table.js';

export const AGILE_ROUTES: SandboxRoute[] = [
  {
    method: 'PUT',
    path: '/rest/agile/1.0/issue/rank',
    api: 'agile',
    handle: (ctx) => {
      const body = bodyObject(ctx.req.body);
      const issues = body.issues;
      if (!Array.isArray(issues) || issues.length === 0 || issues.some((i) => typeof i !== 'string' && typeof i !== 'number')) {
        throw badRequest(['issues: must not be empty']);
      }
      if (issues.length > 50) throw badRequest(['issues: size must be between 1 and 50']);
      const before = body.rankBeforeIssue;
      const after = body.rankAfterIssue;
      if ((before === undefined) === (after === undefined)) {
        throw badRequest(['Exactly one of rankBeforeIssue or rankAfterIssue must be given.']);
      }
      const position = before !== undefined ? { before: String(before) } : { after: String(after) };
      ctx.state.rank(issues.map(String), position, ctx.actor);
      ctx.res.status(204).end();
    },
  },
];
