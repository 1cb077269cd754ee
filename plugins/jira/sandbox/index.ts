/** `@pool-guard/plugin-jira/sandbox`: an in-memory Jira Cloud for tests and the demo. */
export {
  createJiraSandbox,
  type ActAs,
  type CreateIssueInput,
  type EditIssueInput,
  type JiraSandbox,
  type JiraSandboxOptions,
  type SandboxCommentView,
  type SandboxIssueView,
} from './jira-sandbox.js';
export { SANDBOX_BOT, SANDBOX_SALES, DEFAULT_STORY_POINTS_FIELD, RANK_FIELD, type SandboxUser, type SandboxProject } from './seed-data.js';
export type { Fault, FaultSpec, Faults } from './faults.js';
export type { CountWritesFilter, RequestLogEntry } from './request-log.js';
export type { DeliveryRecord, RegisterWebhookInput, WebhookRegistration } from './webhook-delivery.js';
export type { SandboxRouteInfo, RouteApi } from './route-table.js';
export { adfToText, textToAdf, type AdfNode } from './adf.js';
