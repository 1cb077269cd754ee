/**
 * Where the time goes in a V8 CPU profile (`node --cpu-prof`): self time by function and by
 * package, as quoted in BENCHMARKS.md.
 *
 *   node --conditions=source --import ./bench/loader/register.mjs bench/summarize-profile.ts bench/profiles/<file>.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A short owner for a script URL: a package name, a workspace folder, or node's internals. */
function owner(url: string): string {
  if (url === '') return '(native/V8)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const ws = /\/work\/[^/]+\/((?:services|plugins|shared|bench)\/[^/]+)/.exec(url) ?? /((?:services|plugins|shared|bench)\/[^/]+)/.exec(url);
  return ws ? ws[1]! : url;
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: summarize-profile.ts <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});
const byFunction = new Map<string, number>();
const byOwner = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|work\/[^/]+)\//, '')}:${lineNumber + 1}` : ''}`.trim();
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  const o = functionName === '(idle)' ? '(idle)' : functionName === '(garbage collector)' ? '(garbage collector)' : functionName === '(program)' ? '(program)' : owner(url);
  byOwner.set(o, (byOwner.get(o) ?? 0) + us);
}
// Total (inclusive) time per function: a sample counts once for every distinct function on its stack.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
for (const [id, us] of self) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const { functionName, url, lineNumber } = byId.get(cur)!.callFrame;
    if (!url) continue;
    const name = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|work\/[^/]+)\//, '')}:${lineNumber + 1}`;
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + us);
  }
}
const top = Number(topArg ?? 25);
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
const busy = total - (byOwner.get('(idle)') ?? 0);
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy\n\nby package (self time)\n`);
for (const [o, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(us)}  ${o}\n`);
process.stdout.write('\nby function (self time)\n');
for (const [f, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(us)}  ${f}\n`);
process.stdout.write('\nby function, Pool Guard code and its direct libraries (total time, callees included)\n');
for (const [f, us] of [...inclusive].filter(([f]) => /^(?!\(anonymous\))\S+ (services|plugins|shared|bullmq|ioredis|express|router|body-parser|raw-body|@linear)/.test(f)).sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`${pct(us)}  ${f}\n`);
}
