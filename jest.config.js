/** Jest runs TypeScript through @swc/jest: it strips types without the TypeScript API,
 * so type checking stays with `tsc --noEmit` (npm run typecheck), which CI runs first. */
// The pinned SDK's "future versions need Node 22" notice (tools/lib/cli.ts quietSdkNodeWarning) is
// silenced for the tools; silence it for the tests too, so their output shows only what they test.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  testTimeout: 30000,
};
