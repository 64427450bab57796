/**
 * `npm run new:subgraph <name>`: scaffolds a working, tested, empty subgraph — its SDL
 * (schema/<name>.graphql), its package (subgraphs/<name>/: service, main, resolvers, domain,
 * store with migrations, events, a test), its registry line (packages/contracts/src/subgraphs.ts,
 * next free port) and its docker-compose service. The embedded stack, start:distributed,
 * compose and codegen find it through the registry.
 *
 * `npm run new:subgraph -- <name> --port 4006` picks its embedded port (default: the next free one).
 * `npm run new:subgraph -- --remove <name>` takes all of that out again.
 * Afterwards: `npm install && npm run compose && npm run codegen`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SUBGRAPHS } from '../packages/contracts/src/subgraphs';

const ROOT = resolve(__dirname, '..');
const REGISTRY = resolve(ROOT, 'packages/contracts/src/subgraphs.ts');
const COMPOSE = resolve(ROOT, 'docker-compose.yml');

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (name: string) => camel(name).replace(/^./, (c) => c.toUpperCase());
const envName = (name: string) => name.toUpperCase().replace(/-/g, '_');

function write(path: string, text: string): void {
  const file = resolve(ROOT, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function files(name: string): Record<string, string> {
  const Name = pascal(name);
  const field = `${camel(name)}Status`;
  return {
    [`schema/${name}.graphql`]: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])

type Query {
  "Whether the ${name} subgraph answers, and with what it owns. Replace with the real API."
  ${field}: ${Name}Status!
}

"What the ${name} subgraph says about itself."
type ${Name}Status {
  service: String!
  ready: Boolean!
}
`,
    [`subgraphs/${name}/package.json`]:
      JSON.stringify(
        {
          name: `@agora/${name}`,
          version: '0.0.0',
          private: true,
          description: `${Name} subgraph`,
          exports: { './*': './src/*.ts' },
          scripts: { start: 'tsx src/main.ts' },
          dependencies: {
            '@agora/contracts': '*',
            '@agora/kit': '*',
            graphql: '^16.11.0',
            typeorm: '^1.1.1',
          },
        },
        null,
        2,
      ) + '\n',
    [`subgraphs/${name}/codegen.mappers.json`]: '{}\n',
    [`subgraphs/${name}/src/main.ts`]: `import { runService } from '@agora/kit/service';
import { ${camel(name)}Service } from './service';

runService(${camel(name)}Service);
`,
    [`subgraphs/${name}/src/context.ts`]: `import type { RequestContext } from '@agora/kit/subgraph';

/** What ${name} resolvers get per request: add the service's stores here. */
export type Context = RequestContext;
`,
    [`subgraphs/${name}/src/service.ts`]: `import type { ServiceDefinition } from '@agora/kit/service';
import { openServiceStore } from '@agora/kit/service-store';
import { serveSubgraph } from '@agora/kit/subgraph';
import type { Context } from './context';
import { resolvers } from './resolvers';
import { migrations } from './store/migrations';

/** The ${name} subgraph. Wiring only: stores, consumers and the server. */
export const ${camel(name)}Service: ServiceDefinition = {
  name: '${name}',
  async start(runtime) {
    const store = await openServiceStore(
      { ...runtime, events: runtime.infra.events },
      { service: '${name}', entities: [], migrations },
    );
    const server = await serveSubgraph<Context>(runtime, {
      name: '${name}',
      db: store.db,
      resolvers,
      context: (base) => base,
    });
    return {
      ...server,
      close: async () => {
        await server.close();
        await store.close();
      },
    };
  },
};
`,
    [`subgraphs/${name}/src/resolvers/index.ts`]: `import type { Resolvers } from '../__generated__/resolvers-types';
import { statusOf } from '../domain/status';

export const resolvers: Resolvers = {
  Query: {
    ${field}: () => statusOf('${name}'),
  },
};
`,
    [`subgraphs/${name}/src/domain/status.ts`]: `/** Types and rules of the ${name} subgraph live in domain/: no I/O here. */
export interface ServiceStatus {
  service: string;
  ready: boolean;
}

export const statusOf = (service: string): ServiceStatus => ({ service, ready: true });
`,
    [`subgraphs/${name}/src/store/migrations/index.ts`]: `/** In order; never edit a migration that has shipped, add a new one. */
export const migrations: (new () => unknown)[] = [];
`,
    [`subgraphs/${name}/src/events/README.md`]: `Publish and consume here, through the event catalogue (\`@agora/contracts/events\`):
producers \`emit(def.topic, def.build(...))\` inside \`outbox.transaction\`; consumers
\`consume(events, { group, log, handlers: [on(def, ...)] })\` from \`@agora/kit/events/consume\`.
`,
    [`subgraphs/${name}/test/${name}.service.test.ts`]: `import { startServiceForTest, type ServiceUnderTest } from '@agora/kit/testing';
import { ${camel(name)}Service } from '../src/service';

describe('${name} subgraph', () => {
  let ${camel(name)}: ServiceUnderTest;
  beforeAll(async () => {
    ${camel(name)} = await startServiceForTest(${camel(name)}Service);
  });
  afterAll(() => ${camel(name)}?.close());

  it('answers its query over HTTP, on its own database', async () => {
    const res = await ${camel(name)}.call(null, '{ ${field} { service ready } }');
    expect(res).toEqual({ status: 200, data: { ${field}: { service: '${name}', ready: true } } });
  });
});
`,
  };
}

function composeService(name: string, port: number): string {
  return `  ${name}:
    <<: *subgraph
    build: { context: ., args: { SERVICE: ${name} } }
    image: agora/${name}
    environment:
      <<: [*server-env, *database-env]
      PORT: ${port}

`;
}

function addToCompose(name: string, port: number): void {
  const lines = readFileSync(COMPOSE, 'utf8').split('\n');
  const gateway = lines.indexOf('  gateway:');
  if (gateway < 0) throw new Error('docker-compose.yml: no gateway service to add the subgraph beside');
  const lastIn = (pattern: RegExp) => {
    let at = -1;
    for (let i = gateway; i < lines.length && (i === gateway || !/^ {2}\S/.test(lines[i]!)); i++) {
      if (pattern.test(lines[i]!)) at = i;
    }
    if (at < 0) throw new Error(`docker-compose.yml: the gateway has no line like ${String(pattern)}`);
    return at;
  };
  const url = lastIn(/^ {6}SUBGRAPH_[A-Z0-9_]+_URL: /);
  lines.splice(url + 1, 0, `      SUBGRAPH_${envName(name)}_URL: http://${name}:${port}/graphql`);
  const healthy = lastIn(/^ {6}[a-z0-9-]+: \{ condition: service_healthy \}$/);
  lines.splice(healthy + 1, 0, `      ${name}: { condition: service_healthy }`);
  lines.splice(gateway, 0, ...composeService(name, port).split('\n').slice(0, -1));
  writeFileSync(COMPOSE, lines.join('\n'));
}

function removeFromCompose(name: string): void {
  const lines = readFileSync(COMPOSE, 'utf8').split('\n');
  const start = lines.indexOf(`  ${name}:`);
  let end = start + 1;
  while (start >= 0 && end < lines.length && !/^ {2}\S/.test(lines[end]!)) end++;
  if (start >= 0) lines.splice(start, end - start);
  const mentions = new RegExp(`^ {6}(SUBGRAPH_${envName(name)}_URL: |${name}: \\{ condition: service_healthy \\}$)`);
  writeFileSync(COMPOSE, lines.filter((line) => !mentions.test(line)).join('\n'));
}

function registryLine(name: string, port: number): string {
  return `  { name: '${name}', port: ${port} },`;
}

function create(name: string, requestedPort?: number): void {
  if (SUBGRAPHS.some((s) => s.name === name)) throw new Error(`"${name}" is already in the registry`);
  for (const path of Object.keys(files(name))) {
    if (existsSync(resolve(ROOT, path))) throw new Error(`${path} already exists`);
  }
  const port = requestedPort ?? Math.max(4000, ...SUBGRAPHS.map((s) => s.port)) + 1;
  if (SUBGRAPHS.some((s) => s.port === port)) throw new Error(`port ${port} is taken`);
  for (const [path, text] of Object.entries(files(name))) write(path, text);
  const registry = readFileSync(REGISTRY, 'utf8');
  writeFileSync(REGISTRY, registry.replace(/\n] as const/, `\n${registryLine(name, port)}\n] as const`));
  addToCompose(name, port);
  console.log(
    [
      `new subgraph "${name}" on embedded port ${port}:`,
      `  schema/${name}.graphql, subgraphs/${name}/, its registry line and docker-compose service`,
      'next: npm install && npm run compose && npm run codegen && npm test',
    ].join('\n'),
  );
}

function remove(name: string): void {
  const entry = SUBGRAPHS.find((s) => s.name === name);
  rmSync(resolve(ROOT, `subgraphs/${name}`), { recursive: true, force: true });
  rmSync(resolve(ROOT, `schema/${name}.graphql`), { force: true });
  if (entry) {
    const registry = readFileSync(REGISTRY, 'utf8');
    writeFileSync(REGISTRY, registry.replace(`${registryLine(name, entry.port)}\n`, ''));
  }
  removeFromCompose(name);
  console.log(`removed subgraph "${name}"; next: npm install && npm run compose && npm run codegen`);
}

const args = process.argv.slice(2);
const removing = args[0] === '--remove';
const name = removing ? args[1] : args[0];
const portFlag = args.indexOf('--port');
const port = portFlag >= 0 ? Number(args[portFlag + 1]) : undefined;
if (port !== undefined && !(Number.isInteger(port) && port > 1024 && port < 65536)) {
  console.error('new:subgraph: --port takes a port number above 1024');
  process.exit(2);
}
if (!name || !/^[a-z][a-z0-9-]{1,30}$/.test(name)) {
  console.error('usage: npm run new:subgraph -- <name> [--port N]   (lower-case letters, digits, dashes)');
  console.error('       npm run new:subgraph -- --remove <name>');
  process.exit(2);
}
try {
  if (removing) remove(name);
  else create(name, port);
} catch (error) {
  console.error(`new:subgraph: ${(error as Error).message}`);
  process.exit(1);
}
