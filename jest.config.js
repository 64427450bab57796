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
  // Per test and per hook. Generous: on a 2-core machine shared with other work (load 20+),
  // starting one service has taken over 60 s; an idle machine needs a few seconds.
  testTimeout: 120_000,
  // Chosen for CI's 2 cores, not left to jest's default (cores - 1 = one worker): the e2e files
  // spend much of their time waiting on servers, so two files in parallel keep both cores busy.
  maxWorkers: 2,
  setupFiles: ['<rootDir>/scripts/jest.setup.js'],
};
