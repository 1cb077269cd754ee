/**
 * Linear's public GraphQL schema (matching @linear/sdk 88.3.0), vendored in sandbox/schema/ (a test
 * checks it equals the reference in ../shared/specs/linear/). It is 1.2 MB, so it is read and built
 * once per process and cached.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, type GraphQLSchema } from 'graphql';

const cache = new Map<string, GraphQLSchema>();

/** The monorepo root: the nearest directory above this file whose package.json has `workspaces`. */
export function findRepoRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
        if (parsed.workspaces) return dir;
      } catch {
        // not a readable manifest; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`linear sandbox: no workspace root (package.json with "workspaces") above ${from}`);
    dir = parent;
  }
}

export function defaultSchemaPath(): string {
  return path.resolve(findRepoRoot(), 'plugins/linear/sandbox/schema/schema.graphql');
}

/** The reference copy beside the repo (read-only specs), for the test that the vendored one matches. */
export function referenceSchemaPath(): string {
  return path.resolve(findRepoRoot(), '../shared/specs/linear/schema.graphql');
}

export function loadLinearSchema(schemaPath: string = defaultSchemaPath()): GraphQLSchema {
  const cached = cache.get(schemaPath);
  if (cached) return cached;
  if (!existsSync(schemaPath)) {
    throw new Error(`linear sandbox: Linear's schema is not at ${schemaPath}; pass { schemaPath } to createLinearSandbox`);
  }
  // The file is Linear's own published schema, so SDL validation is skipped (halves the build time).
  const schema = buildSchema(readFileSync(schemaPath, 'utf8'), { assumeValidSDL: true });
  cache.set(schemaPath, schema);
  return schema;
}
