/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine: the Compose file
 * against the Compose Specification's JSON schema (scripts/compose-spec/, see its README for
 * source and licence), then what the schema can't know. Which env a service needs is derived
 * from the code: its config schemas (a setting with no default must be set, and so must every
 * setting whose default only works on one machine, such as a 127.0.0.1 URL), whether its
 * service definition opens a database when started (DATABASE_URL: found by starting it with
 * the database replaced by a probe), and the variables createInfra reads (REDIS_URL,
 * KAFKA_BROKERS, …: unset, a port stays inside the process, which is wrong once services are
 * separate processes).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse, parseDocument } from 'yaml';
import type { z } from 'zod';
import { loadServices } from '@agora/embedded/services';
import { gatewayConfig } from '@agora/gateway/config';
import { workerEnvSchema } from '@agora/pictures/config';
import { mailWorkerEnvSchema } from '@agora/notifications/config';
import { infraEnv, loadConfig } from '@agora/kit/config';
import type { DatabaseOptions } from '@agora/kit/db/datasource';
import { embeddedInfra } from '@agora/kit/infra';
import { createLogger } from '@agora/kit/log';
import { serviceEnvSchema, type ServiceDefinition } from '@agora/kit/service';
import { SUBGRAPHS } from '@agora/contracts/subgraphs';
import schema from '../compose-spec/compose-spec.json';

// The probe: in this file, opening a database records who asked and stops their start there.
jest.mock('@agora/kit/db/datasource', () => ({
  openDatabase: (options: DatabaseOptions) =>
    Promise.reject(Object.assign(new Error(`${options.service} opens a database`), { probe: options.service })),
}));

const ROOT = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string | number | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as ComposeFile;
const services = Object.entries(compose.services);

/** Compose's own string formats (Go durations, port specs), which the schema names. */
function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\[?[0-9a-fA-F:.]+\]?):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/);
  // Draft 2019-09, which Ajv2019 is; the file names it by an older URL Ajv doesn't know, and
  // carries draft-04 `id` labels (never referenced: every $ref is a JSON pointer) Ajv refuses.
  const { $schema: _draft, ...rules } = schema;
  return ajv.compile(withoutIdLabels(rules) as object);
}

function withoutIdLabels(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIdLabels);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutIdLabels(value)]),
  );
}

/** `${NAME:-default}` and `${NAME}` as `docker compose` reads them with NAME unset. */
const interpolate = (value: string) =>
  value.replace(/\$\{[A-Z_][A-Z0-9_]*(?::?-([^}]*))?\}/g, (_m, fallback?: string) => fallback ?? '');

function envOf(service: ComposeService): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(service.environment ?? {})) {
    if (value !== null) env[key] = interpolate(String(value));
  }
  return env;
}

/** The Agora processes: services built from the Dockerfile (SERVICE build arg). */
const agora = services.filter(([, s]) => s.build?.args?.SERVICE);
const serviceArg = (s: ComposeService) => s.build!.args!.SERVICE!;
const isGateway = (s: ComposeService) => serviceArg(s) === 'gateway';
/** A service whose command is overridden runs another entry point of its image (a worker). */
const entryOf = (s: ComposeService) =>
  s.command?.at(-1) ?? (isGateway(s) ? 'gateway/src/main.ts' : `subgraphs/${serviceArg(s)}/src/main.ts`);
const existingSubgraphs = SUBGRAPHS;

/** The env schema of each other entry point a compose service runs (a worker): keep in step with the code. */
const ENTRY_SCHEMAS: Record<string, z.ZodObject> = {
  'subgraphs/pictures/src/worker.ts': workerEnvSchema,
  'subgraphs/notifications/src/worker.ts': mailWorkerEnvSchema,
};

/**
 * Whether a service definition opens a database: it is started as `runService` would start it,
 * with openDatabase replaced by the probe above (so nothing is opened, and nothing listens).
 */
async function opensDatabase(definition: ServiceDefinition): Promise<boolean> {
  const infra = embeddedInfra();
  try {
    const running = await definition.start({
      host: '127.0.0.1',
      port: 0,
      log: createLogger(definition.name),
      maxBodyBytes: 1_048_576,
      databaseUrl: 'postgres://probe:probe@probe:5432/probe',
      infra,
      identify: async () => null,
    });
    await running.close();
    return false;
  } catch (error) {
    if ((error as { probe?: string }).probe === definition.name) return true;
    throw error;
  } finally {
    await infra.close();
  }
}

/** Settings a config schema has no default for: the process cannot start without them. */
const requiredBy = (envSchema: z.ZodObject) =>
  Object.entries(envSchema.shape)
    .filter(([, setting]) => !(setting as z.ZodType).safeParse(undefined).success)
    .map(([key]) => key);

/** The variables createInfra reads: its zod schema's keys. */
const infraVars = Object.keys(infraEnv);

/** Settings whose default is a loopback address: right on a laptop, wrong in a container. */
const loopbackDefaults = (defaults: Record<string, unknown>) =>
  Object.entries(defaults)
    .filter(([, value]) => typeof value === 'string' && /127\.0\.0\.1|localhost/.test(value))
    .map(([key]) => key);

/** Every env var the code says this process needs set; `databases`: which subgraphs open one. */
function requiredEnv(service: ComposeService, databases: ReadonlySet<string>): string[] {
  const entry = read(entryOf(service));
  const runsAlone = entry.includes('runService(');
  const needs = new Set<string>();
  if (runsAlone && databases.has(serviceArg(service))) needs.add('DATABASE_URL');
  const entrySchema = ENTRY_SCHEMAS[entryOf(service)];
  if (entrySchema) requiredBy(entrySchema).forEach((v) => needs.add(v));
  const opensInfra =
    entry.includes('createInfra(') || (runsAlone && read('packages/kit/src/service.ts').includes('createInfra('));
  if (opensInfra) infraVars.forEach((v) => needs.add(v));
  if (runsAlone) loopbackDefaults(loadConfig(serviceEnvSchema(0), {})).forEach((v) => needs.add(v));
  if (isGateway(service)) {
    loopbackDefaults(gatewayConfig({})).forEach((v) => needs.add(v));
    for (const [, s] of agora.filter(([, s]) => !isGateway(s)))
      needs.add(`SUBGRAPH_${serviceArg(s).toUpperCase()}_URL`);
  }
  return [...needs].sort();
}

/** What a service's compose env lacks of what its code needs. */
const missingEnv = (service: ComposeService, databases: ReadonlySet<string>) => {
  const env = envOf(service);
  return requiredEnv(service, databases).filter((key) => !env[key]);
};

describe('docker-compose.yml', () => {
  /** The subgraphs whose service definition opens a database when started. */
  const databases = new Set<string>();
  beforeAll(async () => {
    for (const definition of await loadServices()) {
      if (await opensDatabase(definition)) databases.add(definition.name);
    }
  }, 60_000);

  it('is valid YAML and valid against the Compose Specification schema', () => {
    expect(parseDocument(composeText, { merge: true }).errors).toEqual([]);
    const validate = composeValidator();
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
  });

  it('fails the schema when a service is malformed (the check has teeth)', () => {
    const validate = composeValidator();
    const broken = (change: (file: ComposeFile) => void) => {
      const file = structuredClone(compose);
      change(file);
      return validate(file);
    };
    expect(broken((f) => (f.services.forum!.depends_on!.postgres!.condition = 'service_ready'))).toBe(false);
    expect(broken((f) => Object.assign(f.services.gateway!.healthcheck!, { interval: 'ten seconds' }))).toBe(false);
    expect(broken((f) => Object.assign(f.services.users!, { restart_policy: 'always' }))).toBe(false);
  });

  it('builds every Agora service from the Dockerfile, one per existing subgraph, plus the gateway', () => {
    const built = agora.map(([, s]) => serviceArg(s));
    expect(new Set(built)).toEqual(new Set(['gateway', ...existingSubgraphs.map((s) => s.name)]));
    for (const [, s] of agora) {
      expect({ context: s.build!.context, entry: existsSync(resolve(ROOT, entryOf(s))) }).toEqual({
        context: '.',
        entry: true,
      });
    }
  });

  it('runs every other entry point with an env schema the check reads (a new worker is checked too)', () => {
    const others = agora.filter(([, s]) => s.command).map(([, s]) => entryOf(s));
    expect(others.filter((entry) => !ENTRY_SCHEMAS[entry])).toEqual([]);
  });

  it('finds the database a service opens by starting its definition, not by reading its code', async () => {
    // The forum keeps panels and posts in SQL; a definition that opens no database is told apart.
    expect(databases.has('forum')).toBe(true);
    const noDatabase: ServiceDefinition = {
      name: 'forum',
      start: async () => ({ name: 'forum', url: '', graphqlUrl: '', close: async () => undefined }),
    };
    expect(await opensDatabase(noDatabase)).toBe(false);
  });

  it('fails a service whose DATABASE_URL is removed while its code opens a database (the check has teeth)', () => {
    const withDatabase = agora.filter(([, s]) => requiredEnv(s, databases).includes('DATABASE_URL'));
    expect(withDatabase.map(([name]) => name)).toEqual(expect.arrayContaining(['forum', 'forum-2', 'pictures-worker']));
    for (const [name, service] of withDatabase) {
      const without = structuredClone(service);
      delete without.environment!.DATABASE_URL;
      expect({ name, missing: missingEnv(without, databases) }).toEqual({ name, missing: ['DATABASE_URL'] });
    }
  });

  it.each(agora.map(([name, s]) => [name, s] as const))('gives %s every env var its code needs', (_name, service) => {
    const env = envOf(service);
    expect(missingEnv(service, databases)).toEqual([]);
    // Its settings parse as the service will parse them, and it listens beyond loopback.
    if (read(entryOf(service)).includes('runService('))
      expect(() => loadConfig(serviceEnvSchema(0), env)).not.toThrow();
    if (isGateway(service)) expect(() => gatewayConfig(env)).not.toThrow();
    if (env.PORT) expect(env.HOST).toBe('0.0.0.0');
  });

  it('points the gateway at each subgraph’s services, both forum replicas included', () => {
    const gateway = compose.services.gateway!;
    const urls = gatewayConfig(envOf(gateway)).subgraphUrls;
    for (const [name, replicas] of Object.entries(urls)) {
      for (const url of replicas) {
        const target = compose.services[new URL(url).hostname];
        expect({ url, service: target && serviceArg(target), port: target && envOf(target).PORT }).toEqual({
          url,
          service: name,
          port: new URL(url).port,
        });
      }
    }
    expect(urls.forum).toHaveLength(2);
  });

  it('starts each process after the servers its env points at are healthy', () => {
    for (const [name, service] of services) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, target, condition, healthcheck: !!compose.services[target]?.healthcheck }).toEqual({
          name,
          target,
          condition: 'service_healthy',
          healthcheck: true,
        });
      }
      // Every host named in a URL or broker list of its env is a service it waits for, except
      // auth for AUTH_JWKS_URL: its keys are fetched at the first signed request, not at start;
      // and jaeger for OTEL_EXPORTER_OTLP_ENDPOINT: spans are sent in the background.
      const hosts = Object.values(envOf(service))
        .flatMap((value) => value!.split(','))
        .map((value) => /^(?:[a-z]+:\/\/)?(?:[^@/]*@)?([a-z][a-z0-9-]*):\d+/.exec(value)?.[1])
        .filter(
          (host): host is string =>
            !!host && host in compose.services && host !== name && !['auth', 'jaeger'].includes(host),
        );
      expect({ name, missing: hosts.filter((h) => !service.depends_on?.[h]) }).toEqual({ name, missing: [] });
    }
  });

  it('has Prometheus scrape every Agora process that listens, at its port, and nothing else, and Grafana provisioned with the Agora dashboard', () => {
    const scrape = parse(read('ops/prometheus/prometheus.yml')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = scrape.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets)).sort();
    const processes = agora.filter(([, s]) => envOf(s).PORT).map(([name, s]) => `${name}:${envOf(s).PORT}`);
    // Exactly the Agora processes that listen (every one with a PORT: the gateway, each
    // subgraph and replica, the pictures worker), each at its port.
    expect(targets).toEqual([...processes].sort());
    const dashboard = JSON.parse(read('ops/grafana/dashboards/agora.json')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    // Every series a panel reads is one the services export (docs/operations.md lists them).
    const metrics = read('packages/kit/src/metrics.ts');
    for (const name of new Set(exprs.flatMap((e) => e.match(/agora_[a-z_]+/g) ?? []))) {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      expect({ name, exported: metrics.includes(`'${base}'`) }).toEqual({ name, exported: true });
    }
    for (const name of ['prometheus', 'grafana', 'jaeger']) expect(compose.services[name]?.healthcheck).toBeDefined();
  });

  it('has a healthcheck on every service that listens', () => {
    const listening = services.filter(([, s]) => !(s.build && s.command && !envOf(s).PORT));
    for (const [name, service] of listening)
      expect({ name, test: service.healthcheck?.test?.length ?? 0 }).not.toEqual({ name, test: 0 });
  });

  it('runs the Agora healthcheck command: exit 0 when /readyz is 200, 1 otherwise', async () => {
    const [, ...command] = compose.services.gateway!.healthcheck!.test;
    let status = 200;
    const server = createServer((req, res) => res.writeHead(req.url === '/readyz' ? status : 404).end());
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const run = () => {
      const env = { ...process.env, PORT: String((server.address() as AddressInfo).port) };
      return new Promise<number | null>((done) => {
        spawn(process.execPath, command.slice(1), { env }).on('exit', done);
      });
    };
    try {
      expect(command[0]).toBe('node');
      expect(await run()).toBe(0);
      status = 503;
      expect(await run()).toBe(1);
    } finally {
      server.close();
    }
  });

  it('keeps data in named volumes declared at the top level', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const name of ['postgres', 'redis', 'kafka', 'rabbitmq', 'mongo']) {
      expect({ name, volumes: compose.services[name]?.volumes?.length ?? 0 }).not.toEqual({ name, volumes: 0 });
    }
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        expect({ name, source, named: declared.includes(source) }).toEqual({ name, source, named: true });
      }
    }
  });

  it('runs official images: apache/kafka 3.9 in KRaft mode, rabbitmq with management', () => {
    const kafka = compose.services.kafka!;
    expect(kafka.image).toMatch(/^apache\/kafka:3\.9\.\d+$/);
    const env = envOf(kafka);
    expect(String(env.KAFKA_PROCESS_ROLES).split(',').sort()).toEqual(['broker', 'controller']);
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toMatch(new RegExp(`^${env.KAFKA_NODE_ID}@kafka:\\d+$`));
    expect(Object.keys(env).filter((key) => key.includes('ZOOKEEPER'))).toEqual([]);
    // Clients reach the broker at the address it advertises.
    const brokers = new Set(agora.map(([, s]) => envOf(s).KAFKA_BROKERS));
    expect([...brokers]).toEqual([String(env.KAFKA_ADVERTISED_LISTENERS).replace('PLAINTEXT://', '')]);
    expect(compose.services.rabbitmq!.image).toMatch(/^rabbitmq:[\d.]+-management$/);
    for (const name of ['postgres', 'mongo', 'redis'])
      expect(compose.services[name]!.image).toMatch(new RegExp(`^${name}:`));
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages = instructions.reduce<string[][]>((all, line) => {
    if (/^FROM\s/i.test(line)) all.push([]);
    all.at(-1)?.push(line);
    return all;
  }, []);

  it('is multi-stage and runs the final stage as a non-root user', () => {
    expect(stages.length).toBeGreaterThan(1);
    const users = stages.at(-1)!.filter((line) => /^USER\s/i.test(line));
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER\s+(root|0)(:|\s|$)/i);
  });

  it('builds any service through the SERVICE build arg', () => {
    expect(stages.at(-1)!.some((line) => /^ARG\s+SERVICE\b/.test(line))).toBe(true);
    expect(dockerfile).toContain('subgraphs/$SERVICE/src/main.ts');
  });

  it('leaves local state and installed packages out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const path of ['**/node_modules', '.git', '.data', '.devstack']) expect(ignored).toContain(path);
  });

  it('passes the shell syntax check for each RUN', () => {
    for (const run of instructions.filter((line) => line.startsWith('RUN '))) {
      const result = spawnSync('sh', ['-n', '-c', run.slice(4)], { encoding: 'utf8' });
      expect({ run, stderr: result.stderr }).toEqual({ run, stderr: '' });
    }
  });
});
