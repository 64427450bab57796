import { pino, type Logger } from 'pino';
import { logLevelOf } from './config';
import { activeTraceIds } from './tracing';

export type { Logger };

/** One root logger per process; services take a child named after themselves. */
let root: Logger | undefined;

export function rootLogger(): Logger {
  root ??= pino({
    level: logLevelOf(process.env),
    base: { pid: process.pid },
    // Every line logged inside a traced request or event carries its trace id.
    mixin: () => activeTraceIds() ?? {},
    redact: ['req.headers.authorization', '*.password', '*.accessToken', '*.refreshToken'],
  });
  return root;
}

export function createLogger(service: string): Logger {
  return rootLogger().child({ service });
}
