/**
 * The architecture's guard rails, checked on the source text: imports go one way
 * (services → plugins → shared → shared/domain), the domain does no I/O, and no tracker detail
 * (a Jira field, a Linear type, a vendor SDK) leaks outside plugins/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const ROOT = process.cwd();

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (['node_modules', 'dist', 'test', '__tests__', 'sandbox'].includes(name)) continue;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
}

function code(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('architecture', () => {
  it('keeps the domain pure: relative imports within shared/domain only', () => {
    const offenders = sourceFiles('shared/domain').flatMap((f) =>
      imports(f).filter((i) => !i.startsWith('./')).map((i) => `${f} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps shared/ free of plugins and services', () => {
    const offenders = sourceFiles('shared').flatMap((f) =>
      imports(f)
        .filter((i) => /^@pool-guard\/(plugin-|receiver|worker|admin|standalone)/.test(i) || /(^|\/)(plugins|services)\//.test(i))
        .map((i) => `${f} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps plugins free of services and of each other', () => {
    const offenders = ['plugins/jira', 'plugins/linear'].flatMap((dir) =>
      sourceFiles(dir).flatMap((f) =>
        imports(f)
          .filter((i) => /^@pool-guard\/(receiver|worker|admin|standalone)/.test(i) || (dir.endsWith('jira') ? /plugin-linear|plugins\/linear/ : /plugin-jira|plugins\/jira/).test(i))
          .map((i) => `${f} imports ${i}`),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps tracker details inside plugins/ (no vendor SDK, field or header outside them)', () => {
    const vendor = /customfield_|timeoriginalestimate|statusCategory|sortOrder|\bissuetype\b|[Xx]-[Hh]ub-[Ss]ignature|[Xx]-[Aa]tlassian|[Ll]inear-[Ss]ignature|[Ll]inear-[Dd]elivery|@linear\/sdk|jira\.js|rest\/api\/3/;
    const dirs = ['shared/domain', 'shared/store', 'shared/queue', 'shared/tracker', 'shared/runtime', 'shared/http', 'services/receiver/src', 'services/worker/src', 'services/admin/src'];
    const offenders = dirs.flatMap((dir) =>
      sourceFiles(dir).flatMap((f) => {
        const lines = code(f).split('\n');
        return lines.flatMap((line, i) => (vendor.test(line) ? [`${relative(ROOT, join(ROOT, f))}:${i + 1}: ${line.trim()}`] : []));
      }),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps Redis, BullMQ and express out of the domain and the tracker seam', () => {
    const offenders = [...sourceFiles('shared/domain'), ...sourceFiles('shared/tracker')].flatMap((f) =>
      imports(f).filter((i) => /^(ioredis|bullmq|express|node:)/.test(i)).map((i) => `${f} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });
});
