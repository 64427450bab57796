import { pino, stdSerializers, type Logger, type LoggerOptions } from 'pino';
import { logLevelOf } from './config';
import { activeTraceIds } from './tracing';

export type { Logger };

/** One root logger per process; services take a child named after themselves. */
let root: Logger | undefined;

/**
 * Text that must never reach a log line: e-mail addresses, password hashes (argon2 and the
 * like), bearer tokens and JWTs. Applied to every error's message and stack.
 */
const SECRETS: [RegExp, string][] = [
  [/\$argon2(id|i|d)\$[^\s"'),]+/g, '[hash]'],
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[jwt]'],
  [/\bBearer\s+[\w.~+/=-]+/gi, 'Bearer [token]'],
  [/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[email]'],
];

export function scrub(text: string): string {
  return SECRETS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/**
 * An error as a log line shows it: type, message, code and stack, scrubbed. Never the rest
 * of its properties: a database error carries the statement's parameters (an e-mail, a
 * password hash) and the server's detail ("Key (email)=(…) already exists").
 */
function safeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null))
    return { message: scrub(String(error)) };
  const e = error as Error & { code?: unknown; driverError?: { code?: unknown }; cause?: unknown };
  const serialized = error instanceof Error ? stdSerializers.err(error) : (error as Record<string, unknown>);
  const code = e.code ?? e.driverError?.code;
  return {
    type: serialized.type ?? (error as object).constructor?.name,
    message: scrub(String(serialized.message ?? '')),
    ...(code !== undefined && { code: String(code) }),
    ...(typeof serialized.stack === 'string' && { stack: scrub(serialized.stack) }),
    ...(e.cause !== undefined && e.cause !== error && { cause: safeError(e.cause) }),
  };
}

/** Level 50 (error) and up: the unexpected, which keeps its stack. */
const ERROR_LEVEL = 50;

/** The root logger's settings (exported for the test that checks what a line may hold). */
export function logOptions(level: string): LoggerOptions {
  return {
    level,
    base: { pid: process.pid },
    // Every line logged inside a traced request or event carries its trace id.
    mixin: () => activeTraceIds() ?? {},
    redact: ['req.headers.authorization', '*.password', '*.accessToken', '*.refreshToken', '*.email', '*.passwordHash'],
    serializers: { err: safeError },
    hooks: {
      // Stacks only for unexpected errors: a warning (an outage, a retry) says what failed, in one line.
      logMethod(args, method, level) {
        const [first] = args as unknown[];
        if (level < ERROR_LEVEL && first && typeof first === 'object' && 'err' in first) {
          const { err, ...rest } = first as { err: unknown };
          const { stack: _stack, cause: _cause, ...brief } = safeError(err);
          (args as unknown[])[0] = { ...rest, err: brief };
        }
        return method.apply(this, args);
      },
    },
  };
}

export function rootLogger(): Logger {
  root ??= pino(logOptions(logLevelOf(process.env)));
  return root;
}

export function createLogger(service: string): Logger {
  return rootLogger().child({ service });
}
