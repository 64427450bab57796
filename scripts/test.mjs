#!/usr/bin/env node
/**
 * `npm test`: every jest test of the monorepo, then one plain totals line
 * (`N passed, N failed, N skipped`) that CI reads. Extra args go to jest.
 *
 * When devstack runs (`npm run devstack -- up`), its connection env is loaded so the
 * suites that need PostgreSQL, Redis, RabbitMQ, Kafka or MongoDB run against them; those
 * suites skip without it, and are listed by name before the totals. Under CI (any CI value
 * but empty, 0 or false) a skipped test fails the run: CI must prove the real adapters, not
 * skip them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

function devstackEnv() {
  if (!existsSync('.devstack')) return {};
  try {
    const text = execFileSync('bash', ['scripts/devstack', 'env'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return Object.fromEntries(
      text
        .split('\n')
        .map((line) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
        .filter(Boolean)
        .map((m) => [m[1], m[2]]),
    );
  } catch {
    return {};
  }
}

// PGlite loads its WebAssembly with a dynamic import, which jest's VM allows only with this flag.
const env = {
  ...devstackEnv(),
  ...process.env,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings=ExperimentalWarning`.trim(),
};

// Run alone, after the others: tests that stop a shared service (the Kafka outage test, the
// chaos suite: *.outage.test.ts), and the ones whose processes use the production queue and
// group names on the shared servers (the pictures worker processes and the distributed stack
// share `pictures.thumbnails`).
const SERIAL = 'outage|worker\\.distributed|start-distributed';

function jest(args) {
  const report = join(mkdtempSync(join(tmpdir(), 'agora-test-')), 'jest.json');
  const result = spawnSync(
    process.execPath,
    ['node_modules/jest/bin/jest.js', '--json', `--outputFile=${report}`, ...args],
    { stdio: 'inherit', env },
  );
  if (!existsSync(report)) return { ok: false, passed: 0, failed: 1, skipped: 0, skippedSuites: [] };
  const json = JSON.parse(readFileSync(report, 'utf8'));
  return {
    ok: result.status === 0,
    passed: json.numPassedTests,
    failed: json.numFailedTests + json.numRuntimeErrorTestSuites,
    skipped: json.numPendingTests + json.numTodoTests,
    skippedSuites: skippedSuites(json),
  };
}

/** `file › suite` for every outermost describe with a skipped (or todo) test, and how many. */
function skippedSuites(json) {
  const suites = new Map();
  for (const file of json.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (test.status !== 'pending' && test.status !== 'todo') continue;
      const name = `${relative(process.cwd(), file.name)} › ${test.ancestorTitles[0] ?? test.title}`;
      suites.set(name, (suites.get(name) ?? 0) + 1);
    }
  }
  return [...suites];
}

/** CI is on when CI is set to anything but empty, 0 or false (CI=true, CI=1, CI=yes…). */
const onCi = () => !['', '0', 'false', 'no', 'off'].includes((process.env.CI ?? '').trim().toLowerCase());

// With arguments (a path, -t …), one run of exactly what was asked for.
const extra = process.argv.slice(2);
const runs =
  extra.length > 0
    ? [jest(extra)]
    : [jest(['--testPathIgnorePatterns', SERIAL]), jest(['--runInBand', '--testPathPatterns', SERIAL])];

const total = (key) => runs.reduce((sum, run) => sum + run[key], 0);
const [passed, failed, skipped] = [total('passed'), total('failed'), total('skipped')];
const skippedList = runs.flatMap((run) => run.skippedSuites ?? []);
if (skippedList.length > 0) {
  console.log(`\nSkipped suites (${skippedList.length}):`);
  for (const [name, count] of skippedList) console.log(`  - ${name} (${count} test${count === 1 ? '' : 's'})`);
}
const skipFails = onCi() && skipped > 0;
if (skipFails) console.error(`CI=${process.env.CI}: ${skipped} skipped test(s) count as failures (is devstack up?)`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(runs.every((run) => run.ok) && failed === 0 && !skipFails ? 0 : 1);
