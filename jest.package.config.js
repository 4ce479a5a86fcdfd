/**
 * The packed-package tests (test/package): they `npm pack` nslab and install it, with cdktf or
 * cdktn, into projects outside the repository. `npm run test:package`; `.ci/run` runs them after `npm test`.
 */
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  testMatch: ['<rootDir>/test/package/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 300000,
};
