/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/examples/**/*.test.ts'],
  // test/package installs packages: `npm run test:package` (jest.package.config.js); its project/ is a user's project.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/package/'],
  testTimeout: 60000,
};
