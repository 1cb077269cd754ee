// One jest run for the whole monorepo. Sources are TypeScript (ESM), transpiled by ts-jest;
// `tsc --noEmit` (npm run typecheck) does the type checking, so ts-jest only transpiles.
// Workspace packages resolve to their TypeScript sources through the "source" export condition.
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['source', 'node', 'node-addons'] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
};

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      rootDir: '.',
      testMatch: ['<rootDir>/shared/domain/**/*.test.ts', '<rootDir>/**/test/unit/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    },
    {
      ...common,
      displayName: 'integration',
      rootDir: '.',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/', '/shared/domain/', '/test/unit/'],
      globalSetup: '<rootDir>/test/jest-global-setup.js',
      globalTeardown: '<rootDir>/test/jest-global-teardown.js',
    },
  ],
  reporters: ['default', '<rootDir>/test/summary-reporter.cjs'],
  testTimeout: 30000,
  // A BullMQ worker left reconnecting by a failed test must not keep the run open after the last test.
  forceExit: true,
};
