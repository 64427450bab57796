import { z } from 'zod';
import { portEnvOf, SUBGRAPHS } from '@agora/contracts/subgraphs';
import { loadConfig, port } from '@agora/kit/config';
import { onShutdown } from '@agora/kit/lifecycle';
import { createLogger } from '@agora/kit/log';
import { notificationsSettings } from '@agora/notifications/config';
import { startEmbeddedStack } from './stack';

/**
 * `npm start`: the whole of Agora in one process, data under ./.data. PORT sets the
 * gateway's port and PORT_<NAME> each subgraph's (PORT_FORUM=5003…), so two stacks can
 * run side by side.
 */
const log = createLogger('agora');
const config = loadConfig(
  z.object({
    PORT: port(4000),
    DATA_DIR: z.string().default('.data'),
    HOST: z.string().default('127.0.0.1'),
    ...Object.fromEntries(SUBGRAPHS.map(({ name, port: embeddedPort }) => [portEnvOf(name), port(embeddedPort)])),
  }),
);
const subgraphPorts = config as unknown as Record<string, number>;
const started = Date.now();

startEmbeddedStack({
  dataDir: config.DATA_DIR,
  gatewayPort: config.PORT,
  host: config.HOST,
  subgraphPort: (name) => subgraphPorts[portEnvOf(name)]!,
}).then(
  (stack) => {
    onShutdown(() => stack.close());
    const width = Math.max(9, ...stack.services.map((s) => s.name.length));
    const lines = [
      `Agora is up in ${((Date.now() - started) / 1000).toFixed(1)} s (embedded mode, data in ${config.DATA_DIR}/)`,
      `  ${'web app'.padEnd(width)} ${stack.gateway.url}/`,
      `  ${'GraphQL'.padEnd(width)} ${stack.gateway.graphqlUrl}  (HTTP; WebSocket and SSE on the same path)`,
      ...stack.services.map((s) => `  ${s.name.padEnd(width)} ${s.graphqlUrl}`),
      ...(stack.services.some((s) => s.name === 'notifications') ? [mailLine(width)] : []),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  },
  (error: unknown) => {
    log.fatal({ err: error }, 'Agora failed to start');
    process.exit(1);
  },
);

/** Where the notifications service's e-mail goes: .eml files under the data folder unless SMTP_URL is set. */
function mailLine(width: number): string {
  const mail = notificationsSettings(config.DATA_DIR);
  const where = mail.smtpUrl
    ? `sent to ${new URL(mail.smtpUrl).host} (SMTP_URL)`
    : `written as .eml files to ${mail.mailDir ?? 'memory'}/`;
  return `  ${'e-mail'.padEnd(width)} ${where}`;
}
