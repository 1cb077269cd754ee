/**
 * Fuzzing helpers for tests: a seeded random source, mutators for raw bytes and JSON, values of the
 * wrong type, deep nesting and bad UTF-8, a keep-alive HTTP driver and raw-socket requests, and a
 * forced garbage collection to compare memory. Test-only (not part of the built package).
 */
import { Agent, request, validateHeaderName, validateHeaderValue } from 'node:http';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A seeded random source (mulberry32: small, fast, well distributed); print the seed so a run replays. */
export class FuzzRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** Strings that break naive code: empty, huge, control characters, lone surrogates, prototypes, numbers as text. */
export const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  '0',
  '-1',
  '1e400',
  'NaN',
  'null',
  'true',
  'undefined',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '../../etc/passwd',
  '%2e%2e%2f',
  '%00',
  '\u0000',
  '\u0000\u0001\u001f',
  '\ud800',
  '\udfff\ud800',
  '\ufeff',
  '\u202e',
  'e\u0301',
  '😀',
  '🏳️‍🌈',
  'ＣＲ－４２',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  '{{7*7}}',
  'CR-42',
  '10042',
  '2026-11-27T09:31:02.115Z',
  '2026-11-27T09:31:02.115+0000',
  '2026-02-30T25:61:61.000+9999',
  '9999-12-31T23:59:59.999Z',
  '-271821-04-20T00:00:00.000Z',
  'sha256=',
  'jira:issue_updated',
  'jira:issue_deleted',
  'comment_created',
  'Issue',
  'Comment',
  'IssueLabel',
  'CustomerNeed',
  'remove',
  'update',
  'create',
  'x'.repeat(300),
  'x'.repeat(70_000),
];

export const ODD_NUMBERS: readonly number[] = [
  0, -0, 1, -1, 0.1, 1e-320, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e21, 1.7976931348623157e308, Number.MIN_VALUE, 1767225600000, 253402300800000, 8.64e15 + 1,
];

/** A JSON value of a random shape (and often of the wrong type for wherever it lands). */
export function oddValue(rng: FuzzRandom, depth = 0): unknown {
  const roll = rng.int(depth > 3 ? 6 : 9);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick(ODD_NUMBERS);
    case 3:
      return rng.next() * 10 ** rng.int(20) * (rng.chance(0.5) ? -1 : 1);
    case 4:
    case 5:
      return rng.pick(ODD_STRINGS);
    case 6:
      return Array.from({ length: rng.int(4) }, () => oddValue(rng, depth + 1));
    case 7: {
      const out: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--) out[rng.pick(ODD_STRINGS).slice(0, 40)] = oddValue(rng, depth + 1);
      return out;
    }
    default:
      return Object.fromEntries([[rng.pick(['id', 'key', 'fields', 'data', 'issue', 'updated', 'updatedAt', 'accountId', 'type', 'action']), oddValue(rng, depth + 1)]]);
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isContainer(v: unknown): v is Json[] | Record<string, Json> {
  return typeof v === 'object' && v !== null;
}

/** Changes one spot of a JSON value: a replaced, removed or added member, a wrong type, a deep or huge value. */
export function mutateJson(rng: FuzzRandom, value: unknown, mutations = 1): unknown {
  let root = structuredClone(value) as Json;
  for (let m = 0; m < mutations; m++) {
    if (!isContainer(root) || rng.chance(0.05)) {
      root = oddValue(rng) as Json;
      continue;
    }
    // Walk down a random path.
    let parent: Json[] | Record<string, Json> = root;
    for (let d = 0; d < 12; d++) {
      const keys: Array<string | number> = Array.isArray(parent) ? parent.map((_, i) => i) : Object.keys(parent);
      if (keys.length === 0) break;
      const k = rng.pick(keys);
      const child: Json | undefined = Array.isArray(parent) ? parent[k as number] : parent[k as string];
      if (!isContainer(child) || rng.chance(0.3)) break;
      parent = child;
    }
    const keys: Array<string | number> = Array.isArray(parent) ? parent.map((_, i) => i) : Object.keys(parent);
    const key = keys.length > 0 ? rng.pick(keys) : Array.isArray(parent) ? 0 : 'x';
    const op = rng.int(6);
    if (Array.isArray(parent)) {
      const i = key as number;
      if (op === 0) parent.splice(i, 1);
      else if (op === 1) parent.splice(i, 0, oddValue(rng) as Json);
      else parent[i] = oddValue(rng) as Json;
    } else {
      const k = key as string;
      if (op === 0) delete parent[k];
      else if (op === 1) parent[rng.pick(ODD_STRINGS).slice(0, 40)] = oddValue(rng) as Json;
      else if (op === 2) parent[k] = deepValue(rng.int(2000) + 10) as Json;
      else parent[k] = oddValue(rng) as Json;
    }
  }
  return root;
}

/** A value nested `depth` levels (arrays or objects). */
export function deepValue(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { a: v };
  return v;
}

/** Deeply nested JSON text (not built as a value: JSON.stringify would overflow the stack first). */
export function deepJsonText(rng: FuzzRandom, depth: number): string {
  const kind = rng.int(3);
  if (kind === 0) return '['.repeat(depth) + ']'.repeat(depth);
  if (kind === 1) return '{"a":'.repeat(depth) + 'null' + '}'.repeat(depth);
  // A plausible envelope around a deep member.
  return `{"webhookEvent":"jira:issue_updated","type":"Issue","action":"update","issue":{"id":"1","key":"CR-1","fields":${'['.repeat(depth)}${']'.repeat(depth)}},"data":{"id":"x"}}`;
}

/** Interesting bytes: UTF-8 breakers and JSON structure. */
const INTERESTING_BYTES: readonly number[][] = [
  [0x00],
  [0xff],
  [0xfe],
  [0xc0, 0x80], // overlong NUL
  [0xc3], // truncated 2-byte sequence
  [0xe2, 0x82], // truncated 3-byte sequence
  [0xed, 0xa0, 0x80], // UTF-8 encoded surrogate
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xef, 0xbb, 0xbf], // BOM
  [0x22], // "
  [0x5c], // \
  [0x7b],
  [0x7d],
  [0x5b],
  [0x5d],
  [0x2c],
  [0x3a],
  [0x0a],
  [0x0d],
];

/** Byte-level mutation: flips, insertions, deletions, duplications, truncation, splices. */
export function mutateBytes(rng: FuzzRandom, input: Buffer, other?: Buffer): Buffer {
  if (input.length === 0) return rng.bytes(rng.int(16));
  const at = rng.int(input.length);
  switch (rng.int(8)) {
    case 0: {
      const out = Buffer.from(input);
      for (let i = rng.int(4) + 1; i > 0; i--) {
        const j = rng.int(out.length);
        out[j] = out[j]! ^ (1 << rng.int(8));
      }
      return out;
    }
    case 1:
      return Buffer.concat([input.subarray(0, at), Buffer.from(rng.pick(INTERESTING_BYTES)), input.subarray(at)]);
    case 2:
      return Buffer.concat([input.subarray(0, at), input.subarray(Math.min(input.length, at + rng.int(64) + 1))]);
    case 3: {
      const len = rng.int(64) + 1;
      return Buffer.concat([input.subarray(0, at), input.subarray(at, at + len), input.subarray(at)]);
    }
    case 4:
      return input.subarray(0, at);
    case 5:
      return other ? Buffer.concat([input.subarray(0, at), other.subarray(rng.int(other.length))]) : Buffer.concat([input, input]);
    case 6:
      return Buffer.concat([input.subarray(0, at), rng.bytes(rng.int(8) + 1), input.subarray(at)]);
    default: {
      const out = Buffer.from(input);
      out[at] = rng.pick(INTERESTING_BYTES)[0]!;
      return out;
    }
  }
}

/** Bytes of `text` with invalid UTF-8 spliced in (inside strings as often as not). */
export function withBadUtf8(rng: FuzzRandom, input: Buffer): Buffer {
  let out = input;
  for (let i = rng.int(3) + 1; i > 0; i--) {
    // Prefer a spot just after a quote: inside a JSON string.
    let at = rng.int(out.length + 1);
    if (rng.chance(0.7)) {
      const q = out.indexOf(0x22, at);
      if (q >= 0) at = q + 1;
    }
    out = Buffer.concat([out.subarray(0, at), Buffer.from(rng.pick(INTERESTING_BYTES.slice(0, 9))), out.subarray(at)]);
  }
  return out;
}

/** Percent-encodes every UTF-8 byte of `text` (also lone surrogates, which encodeURIComponent refuses). */
export function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** Header values that odd clients send (each valid for Node's HTTP client). */
export const ODD_CONTENT_TYPES: readonly string[] = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=x-unknown',
  'application/json;;;',
  'application/vnd.api+json',
  'text/plain',
  'text/html; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/octet-stream',
  '*/*',
  '',
  ';',
  'json',
  'application/json, text/plain',
  'a'.repeat(2000),
];

export interface HttpCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface HttpAnswer {
  status: number;
  body: Buffer;
}

/** Drops headers Node's HTTP client refuses to send (control characters, bad names). */
export function sendableHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
      out[name] = value;
    } catch {
      // not sendable over a well-formed HTTP client; raw-socket cases cover broken header bytes
    }
  }
  return out;
}

/**
 * Sends cases over keep-alive HTTP with `concurrency` requests in flight; `onAnswer` sees each
 * case with its answer (or the client error). Bounded: stops after `count` cases.
 */
export async function driveHttp(
  baseUrl: string,
  count: number,
  concurrency: number,
  nextCase: (i: number) => HttpCase,
  onAnswer: (c: HttpCase, answer: HttpAnswer | Error) => void,
): Promise<void> {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const c = nextCase(i);
      const answer = await new Promise<HttpAnswer | Error>((resolve) => {
        const body = c.body;
        const headers = sendableHeaders(c.headers);
        if (body !== undefined && !('content-length' in headers) && !('transfer-encoding' in headers)) headers['content-length'] = String(body.length);
        const req = request({ host: url.hostname, port: url.port, method: c.method, path: c.path, headers, agent, timeout: 15_000 }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', (err) => resolve(err));
        });
        req.on('timeout', () => req.destroy(new Error(`timed out: ${c.method} ${c.path}`)));
        req.on('error', (err) => resolve(err));
        if (body !== undefined) req.end(body);
        else req.end();
      });
      onAnswer(c, answer);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    agent.destroy();
  }
}

/** Sends raw bytes on a fresh connection; resolves with the status of the first answer, or 0 when the server just closed. */
export function rawHttp(port: number, bytes: Buffer, timeoutMs = 5_000): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    let done = false;
    const finish = (status: number) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(status);
    };
    socket.setTimeout(timeoutMs, () => finish(-1));
    socket.on('connect', () => socket.end(bytes));
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      if (m) finish(Number(m[1]));
    });
    socket.on('error', () => finish(0));
    socket.on('close', () => finish(0));
  });
}

let gcFunction: (() => void) | null | undefined;

/** Forces a full garbage collection (V8's gc exposed at run time); false when it cannot. */
export function forceGc(): boolean {
  if (gcFunction === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gcFunction = runInNewContext('gc') as () => void;
    } catch {
      gcFunction = null;
    }
  }
  if (!gcFunction) return false;
  gcFunction();
  gcFunction();
  return true;
}

/** Heap used and RSS in MB, after a forced collection when possible. */
export function memoryAfterGc(): { heapMb: number; rssMb: number; gc: boolean } {
  const gc = forceGc();
  const m = process.memoryUsage();
  return { heapMb: Math.round((m.heapUsed / 1048576) * 10) / 10, rssMb: Math.round((m.rss / 1048576) * 10) / 10, gc };
}
