// Module hooks that run the repository's TypeScript directly: `import './x.js'` finds `./x.ts`, and
// `.ts` files are transpiled one by one with the repository's own `typescript` (the same per-file
// emit as `tsc -p tsconfig.build.json`, so the code measured is the code shipped). Transpiled files
// are cached under node_modules/.cache/pool-guard-ts, keyed by content, so only the first start of
// a process pays for loading the compiler. Workspace packages resolve to their sources through the
// `source` export condition (pass `--conditions=source`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transpileCached } from './transpile.mjs';

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
  return { format: 'module', source: await transpileCached(fileURLToPath(url)), shortCircuit: true };
}
