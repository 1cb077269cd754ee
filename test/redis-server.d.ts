import type { ChildProcess } from 'node:child_process';

export interface RedisServerHandle {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}
export function freePort(): Promise<number>;
export function startRedisServer(options?: { port?: number; dir?: string; args?: string[] }): Promise<RedisServerHandle>;
