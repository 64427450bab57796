/** One jest run for the whole monorepo; TypeScript compiled by SWC (no type check here: `npm run typecheck`). */
module.exports = {
  testEnvironment: 'node',
  roots: [
    '<rootDir>/packages',
    '<rootDir>/apps',
    '<rootDir>/subgraphs',
    '<rootDir>/gateway',
    '<rootDir>/scripts',
    '<rootDir>/web',
  ],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  // ESM-only dependencies are compiled to CommonJS like our own code.
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  testTimeout: 30_000,
  setupFiles: ['<rootDir>/scripts/jest.setup.js'],
};
