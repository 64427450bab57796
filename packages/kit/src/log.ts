import { pino, type Logger } from 'pino';

export type { Logger };

/** One root logger per process; services take a child named after themselves. */
let root: Logger | undefined;

export function rootLogger(): Logger {
  root ??= pino({
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
    base: { pid: process.pid },
    redact: ['req.headers.authorization', '*.password', '*.accessToken', '*.refreshToken'],
  });
  return root;
}

export function createLogger(service: string): Logger {
  return rootLogger().child({ service });
}
