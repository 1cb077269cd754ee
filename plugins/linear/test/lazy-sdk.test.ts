/**
 * The Linear SDK's main entry (some 20 MB of a process's memory once imported) is loaded on a
 * tenant's first call to Linear, not with the plugin: nothing the plugin's index imports statically
 * may import `@linear/sdk` (its small `webhooks` entry, for signature checks, is allowed). Checked
 * on the sources' static imports, and the first call is shown to load it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pool-guard/shared/logging';
import { createLinearSandbox, SANDBOX_SEED } from '../sandbox/index.js';
import { linearPlugin } from '../src/index.js';
import { sandboxTenant } from './linear-test-tenant.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../src');

/** Static imports (not `import type`, not dynamic `import()`) of a source file. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^import\s+(?!type\b)[^'";]*?from\s+'([^']+)';/gm), ...text.matchAll(/^export\s+(?!type\b)[^'";]*?from\s+'([^']+)';/gm)].map((m) => m[1]!);
}

describe('the Linear SDK is loaded on first use', () => {
  it("keeps '@linear/sdk' out of everything the plugin's index imports statically", () => {
    const seen = new Set<string>();
    const sdkImports: string[] = [];
    const visit = (file: string, via: string[]) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of staticImports(file)) {
        if (spec === '@linear/sdk' || (spec.startsWith('@linear/sdk/') && spec !== '@linear/sdk/webhooks')) sdkImports.push([...via, file, spec].map((p) => p.replace(`${SRC}/`, '')).join(' -> '));
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')), [...via, file]);
      }
    };
    visit(join(SRC, 'index.ts'), []);
    expect(seen.size).toBeGreaterThan(3);
    expect(sdkImports).toEqual([]);
    // The client module does import it (so the check above looks at the right thing).
    expect(staticImports(join(SRC, 'linear-client.ts'))).toContain('@linear/sdk');
  });

  it('connects on the first call, and the client then works as before', async () => {
    const sandbox = createLinearSandbox();
    const apiUrl = await sandbox.listen();
    try {
      const tenant = sandboxTenant(apiUrl);
      const client = linearPlugin.connect(tenant, { logger: silentLogger() });
      expect(sandbox.requestLog.entries).toHaveLength(0);
      const [me, again] = await Promise.all([client.whoAmI(), client.whoAmI()]);
      expect(me.accountId).toBe(SANDBOX_SEED.botUserId);
      expect(again).toEqual(me);
      expect(await client.fetchTicket('ENG-404')).toBeNull();
    } finally {
      await sandbox.close();
    }
  });
});
