/**
 * The one seam between Pool Guard and a tracker. Every plugin (plugins/jira, plugins/linear)
 * implements `TrackerPlugin`; services look plugins up in a `Record<TrackerId, TrackerPlugin>`.
 * Nothing outside plugins/ knows a Jira field name or a Linear GraphQL type.
 */
import type { Badge, CommentDoc, PoolLabel } from '../domain/index.js';
import type { Ticket } from '../domain/ticket.js';
import type { TenantConfig } from '../config/tenant-config.js';
import type { Logger } from '../logging/index.js';

export type TrackerId = 'jira' | 'linear';

/** A webhook delivery exactly as received: lower-cased header names and the raw body bytes. */
export interface RawWebhook {
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** A change the tracker told us about. The worker re-reads the ticket before acting on it. */
export type TrackerEvent =
  | {
      kind: 'ticket.changed';
      /** Ticket key (`CR-42`) or the tracker id when the key is unknown. */
      ticketKey: string;
      ticketId: string;
      /** Account that caused the change (Jira accountId, Linear user/app id); null if unknown. */
      actorId: string | null;
      /** When the tracker says the ticket was last updated (epoch ms), null if the payload lacks it. */
      updatedAt: number | null;
    }
  | {
      kind: 'ticket.deleted';
      ticketKey: string;
      ticketId: string;
      actorId: string | null;
      updatedAt: number | null;
    };

export interface ParsedWebhook {
  /** The tracker's delivery id, the same across its retries (Jira X-Atlassian-Webhook-Identifier). */
  deliveryId: string | null;
  /** Vendor event name, for logs (`jira:issue_updated`, `Issue.update`). */
  eventName: string;
  /** Events Pool Guard acts on; empty when the delivery is of no interest (acknowledge and ignore). */
  events: TrackerEvent[];
}

export type ParseResult = { ok: true; webhook: ParsedWebhook } | { ok: false; reason: string };

/** What the write-back asks a tracker to make true on one ticket. Absent parts are left alone. */
export interface WriteBackCommand {
  ticketKey: string;
  ticketId: string;
  /** Pool labels to add and to remove (only Pool Guard's own labels; others are never touched). */
  labels?: { add: PoolLabel[]; remove: PoolLabel[] };
  /** The badge: Jira issue property `pool-guard`, Linear attachment. Null removes it. */
  badge?: Badge | null;
  /** Pool Guard's single comment: created when `commentId` is null and none is found, else edited. */
  comment?: { doc: CommentDoc; commentId: string | null };
}

export interface WriteBackResult {
  /** The id of Pool Guard's comment on the ticket after the write, when a comment was written. */
  commentId: string | null;
  /** How many tracker API calls the write made (for metrics and benchmarks). */
  calls: number;
}

/**
 * Pool Guard's own marks as one ticket shows them now (besides its labels, which every Ticket has):
 * what a sweep compares with what Pool Guard last wrote, to find marks a person changed.
 */
export interface TicketMarks {
  /** The badge stored on the ticket (Jira issue property `pool-guard`, Linear attachment metadata); null when it has none. */
  badge: Record<string, unknown> | null;
  /** Ids of the comments Pool Guard's account wrote on the ticket; null when the listing cannot tell (too many comments). */
  commentIds: string[] | null;
}

/** A page of tickets for sweeps and backfills. */
export interface TicketPage {
  tickets: Ticket[];
  nextCursor: string | null;
  /** With `withMarks`: each listed ticket's marks, by ticket id. */
  marks?: ReadonlyMap<string, TicketMarks>;
}

export interface ListTicketsQuery {
  /** Pool scopes to search (Jira project keys / Linear team keys); empty = all the account can see. */
  scopes: string[];
  /** Labels that make a ticket a custom request (any of). */
  labels: string[];
  /** Jira issue types that also make a ticket a custom request (any of; ignored where there are none). */
  issueTypes?: string[];
  /** Also read each ticket's Pool Guard marks (badge, own comment ids) into `TicketPage.marks`. */
  withMarks?: boolean;
  /** Only tickets updated at or after this ISO instant (null = no bound besides the labels). */
  updatedSince: string | null;
  cursor: string | null;
  pageSize: number;
}

/** One tenant's live connection to its tracker. */
export interface TrackerClient {
  /** The account Pool Guard acts as; its own events are echoes and are dropped. */
  whoAmI(): Promise<{ accountId: string; displayName: string }>;
  /** The ticket as the tracker has it now, or null when it does not exist (deleted). */
  fetchTicket(keyOrId: string): Promise<Ticket | null>;
  writeBack(cmd: WriteBackCommand): Promise<WriteBackResult>;
  listTickets(query: ListTicketsQuery): Promise<TicketPage>;
}

export interface TrackerClientOptions {
  logger: Logger;
}

export interface TrackerPlugin {
  readonly id: TrackerId;
  /** Pure: checks the delivery's signature against any of the tenant's secrets at time `nowMs`. */
  verify(input: RawWebhook, secrets: readonly string[], nowMs: number): VerifyResult;
  /** Pure: vendor JSON (already parsed) plus headers -> domain events. Never throws. */
  parseWebhook(input: RawWebhook, body: unknown): ParseResult;
  /** A client for one tenant. Creating it does no I/O. */
  connect(tenant: TenantConfig, options: TrackerClientOptions): TrackerClient;
}
