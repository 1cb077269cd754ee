/**
 * The REST routes as a table, so the spec test can list exactly what the sandbox serves. Paths use
 * the OpenAPI spelling (`/rest/api/3/issue/{issueIdOrKey}`); express gets `:issueIdOrKey`.
 */
import type { Request, Response } from 'express';
import type { RenderContext } from './issue-json.js';
import { badRequest } from './jira-format.js';
import type { SandboxState } from './sandbox-state.js';
import type { SandboxUser } from './seed-data.js';
import type { WebhookDelivery } from './webhook-delivery.js';

export type RouteApi = 'v3' | 'agile' | 'webhooks';
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteContext {
  req: Request;
  res: Response;
  state: SandboxState;
  actor: SandboxUser;
  render: RenderContext;
  webhooks: WebhookDelivery;
  param(name: string): string;
}

export interface SandboxRouteInfo {
  method: RouteMethod;
  /** OpenAPI-style path template. */
  path: string;
  /** `v3` routes are checked against the Jira platform OpenAPI spec; the others are separate APIs. */
  api: RouteApi;
}

export interface SandboxRoute extends SandboxRouteInfo {
  handle(ctx: RouteContext): void;
}

export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/** A query parameter that Jira takes as a list: repeated and/or comma-separated. */
export function queryList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
  return items.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

export function queryInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(Array.isArray(value) ? value[0] : value);
  if (!Number.isInteger(n)) throw badRequest([`The value '${String(value)}' is invalid for the parameter '${name}'.`]);
  return n;
}

export function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(['Can not deserialize instance of object out of the request body.']);
  }
  return body as Record<string, unknown>;
}
