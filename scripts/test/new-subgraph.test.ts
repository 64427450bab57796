/**
 * `npm run new:subgraph`: what it writes, and that `--remove` leaves no trace. Run on a copy
 * of the files it touches. (That the scaffold composes, generates, passes its own test and
 * answers through the gateway was checked by hand: see README "Adding a subgraph".)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const TOUCHED = ['scripts/new-subgraph.ts', 'packages/contracts/src/subgraphs.ts', 'docker-compose.yml'];

function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agora-scaffold-'));
  for (const path of TOUCHED) cpSync(resolve(ROOT, path), join(dir, path));
  return dir;
}

const scaffold = (dir: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'scripts/new-subgraph.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });

describe('npm run new:subgraph', () => {
  it('writes the schema, the package, a test, the registry line and the compose service; --remove undoes all', () => {
    const dir = copy();
    const made = scaffold(dir, 'demo', '--port', '4099');
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    for (const path of [
      'schema/demo.graphql',
      'subgraphs/demo/package.json',
      'subgraphs/demo/src/service.ts',
      'subgraphs/demo/src/main.ts',
      'subgraphs/demo/src/resolvers/index.ts',
      'subgraphs/demo/src/domain/status.ts',
      'subgraphs/demo/src/store/migrations/index.ts',
      'subgraphs/demo/test/demo.service.test.ts',
    ]) {
      expect(existsSync(join(dir, path))).toBe(true);
    }
    expect(readFileSync(join(dir, 'subgraphs/demo/src/service.ts'), 'utf8')).toContain('export const demoService');
    expect(readFileSync(join(dir, 'packages/contracts/src/subgraphs.ts'), 'utf8')).toContain(
      "{ name: 'demo', port: 4099 },",
    );
    const compose = readFileSync(join(dir, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('  demo:\n    <<: *subgraph\n');
    expect(compose).toContain('      SUBGRAPH_DEMO_URL: http://demo:4099/graphql\n');
    expect(compose).toContain('      demo: { condition: service_healthy }\n');

    // A second run refuses rather than overwrite.
    expect(scaffold(dir, 'demo').status).toBe(1);

    const removed = scaffold(dir, '--remove', 'demo');
    expect(removed.status).toBe(0);
    expect(existsSync(join(dir, 'subgraphs/demo'))).toBe(false);
    expect(existsSync(join(dir, 'schema/demo.graphql'))).toBe(false);
    for (const path of TOUCHED) {
      expect(readFileSync(join(dir, path), 'utf8')).toBe(readFileSync(resolve(ROOT, path), 'utf8'));
    }
  });

  it('refuses a bad name or a taken port with a usage line', () => {
    const dir = copy();
    expect(scaffold(dir, 'Bad Name').status).toBe(2);
    const taken = scaffold(dir, 'demo', '--port', '4003');
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain('port 4003 is taken');
  });
});
