// The transpile cache of the bench loader (see hooks.mjs): each `.ts` file is transpiled with the
// repository's own `typescript` and kept under node_modules/.cache/pool-guard-ts, keyed by path and
// content. `prewarm` fills it for the whole repository before the bench starts its processes, so
// that no measured process ever loads the compiler (about 70 MB of its memory and a second of CPU).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'pool-guard-ts');
/** Bump when the emit options change, so old cache entries are not used. */
const EMIT_VERSION = '1';
let ts = null;
let options = null;

async function compiler() {
  if (ts) return ts;
  ts = (await import('typescript')).default;
  const base = JSON.parse(readFileSync(join(ROOT, 'tsconfig.base.json'), 'utf8')).compilerOptions;
  const converted = ts.convertCompilerOptionsFromJson(base, ROOT).options;
  // Every workspace is `"type": "module"`: emit ES modules (NodeNext would pick CommonJS for a lone file).
  options = { ...converted, module: ts.ModuleKind.ES2022, declaration: false, sourceMap: false, inlineSourceMap: true, noEmit: false };
  return ts;
}

/** The ES module text of one TypeScript file, from the cache or transpiled into it. */
export async function transpileCached(path) {
  const text = readFileSync(path, 'utf8');
  const key = createHash('sha1').update(EMIT_VERSION).update('\0').update(path).update('\0').update(text).digest('hex');
  const cached = join(CACHE, `${key}.js`);
  if (existsSync(cached)) return readFileSync(cached, 'utf8');
  const tsc = await compiler();
  const out = tsc.transpileModule(text, { compilerOptions: options, fileName: path }).outputText;
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, cached);
  return out;
}

const SKIP = new Set(['node_modules', 'dist', '.git', '.turbo', 'profiles', 'coverage']);

function* tsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.test.ts')) yield path;
  }
}

/** Transpiles every non-test `.ts` file of the given repository folders into the cache; returns how many files it saw. */
export async function prewarm(folders = ['shared', 'plugins', 'services', 'bench', 'test']) {
  let files = 0;
  for (const folder of folders) {
    const dir = join(ROOT, folder);
    if (!existsSync(dir)) continue;
    for (const path of tsFiles(dir)) {
      await transpileCached(path);
      files++;
    }
  }
  return files;
}
