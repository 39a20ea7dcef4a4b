/** Jest runs TypeScript through @swc/jest: it strips types without the TypeScript API,
 * so type checking stays with `tsc --noEmit` (npm run typecheck), which CI runs first. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  testTimeout: 30000,
};
