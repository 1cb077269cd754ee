import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { defaultSchemaPath, referenceSchemaPath } from '../sandbox/linear-schema.js';

describe("the sandbox's copy of Linear's schema", () => {
  it('is byte for byte the reference schema in ../shared/specs/linear/', () => {
    expect(readFileSync(defaultSchemaPath()).equals(readFileSync(referenceSchemaPath()))).toBe(true);
  });
});
