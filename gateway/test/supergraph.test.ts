import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { REPO_ROOT } from '@agora/kit/paths';
import { gql, waitFor } from '@agora/kit/testing';
import { startGateway, type RunningGateway } from '../src/gateway';

/**
 * The gateway follows its supergraph file: a new composition is served without a restart,
 * and a file that does not load leaves the running schema in place. No subgraph is needed:
 * the schema is read through the gateway's own introspection.
 */
describe('supergraph file reload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agora-supergraph-'));
  const path = join(dir, 'supergraph.graphql');
  const original = readFileSync(resolve(REPO_ROOT, 'schema/supergraph.graphql'), 'utf8');
  const logged: { msg: string }[] = [];
  let gateway: RunningGateway;

  const queryFields = async () => {
    const res = await gql<{ __schema: { queryType: { fields: { name: string }[] } } }>(
      gateway.graphqlUrl,
      '{ __schema { queryType { fields { name } } } }',
    );
    return res.data!.__schema.queryType.fields.map((f) => f.name);
  };
  /** The composed supergraph with one more Query field, served by the forum subgraph. */
  const withField = (name: string) =>
    original.replace(
      '  panels(first: Int = 20, after: String): PanelConnection! @join__field(graph: FORUM)',
      `  panels(first: Int = 20, after: String): PanelConnection! @join__field(graph: FORUM)\n  ${name}: Boolean @join__field(graph: FORUM)`,
    );

  beforeAll(async () => {
    copyFileSync(resolve(REPO_ROOT, 'schema/supergraph.graphql'), path);
    const log = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      log,
      supergraphPath: path,
      subgraphUrls: {},
      maxBodyBytes: 1_000_000,
      maxDepth: 12,
    });
  });
  afterAll(() => gateway?.close());

  it('serves a new supergraph written to the file, without a restart', async () => {
    expect(await queryFields()).not.toContain('reloadedField');
    writeFileSync(path, withField('reloadedField'));
    await waitFor('the new field', async () => (await queryFields()).includes('reloadedField'));
    expect(await queryFields()).toEqual(expect.arrayContaining(['panels', 'reloadedField']));
  });

  it('keeps the running schema when the new file does not load, and reloads the next good one', async () => {
    const failures = () => logged.filter((l) => l.msg === 'supergraph reload failed; keeping the current schema');
    writeFileSync(path, 'type Query {');
    await waitFor('the refused reload', () => failures().length === 1);
    expect(await queryFields()).toEqual(expect.arrayContaining(['panels', 'reloadedField']));
    writeFileSync(path, withField('fieldAfterAFailure'));
    await waitFor('the next good file', async () => (await queryFields()).includes('fieldAfterAFailure'));
    expect(await queryFields()).not.toContain('reloadedField');
  });
});
