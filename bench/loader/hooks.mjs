// Module hooks that run the repository's TypeScript directly: `import './x.js'` finds `./x.ts`, and
// `.ts` files are transpiled one by one with the repository's own `typescript` (the same per-file
// emit as `tsc -p tsconfig.build.json`, so the code measured is the code shipped). Transpiled files
// are cached under node_modules/.cache/pool-guard-ts, keyed by content, so only the first start of
// a process pays for loading the compiler. Workspace packages resolve to their sources through the
// `source` export condition (pass `--conditions=source`).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const parent = context.parentURL;
    if (parent && specifier.endsWith('.js') && (specifier.startsWith('.') || specifier.startsWith('/'))) {
      const url = new URL(specifier.replace(/\.js$/, '.ts'), parent);
      if (existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true, format: 'module' };
    }
    throw err;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts') || url.endsWith('.d.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const text = readFileSync(path, 'utf8');
  const key = createHash('sha1').update(EMIT_VERSION).update('\0').update(path).update('\0').update(text).digest('hex');
  const cached = join(CACHE, `${key}.js`);
  if (existsSync(cached)) return { format: 'module', source: readFileSync(cached, 'utf8'), shortCircuit: true };
  const tsc = await compiler();
  const out = tsc.transpileModule(text, { compilerOptions: options, fileName: path }).outputText;
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, cached);
  return { format: 'module', source: out, shortCircuit: true };
}
