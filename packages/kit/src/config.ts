import { z } from 'zod';

/**
 * Reads a service's configuration from the environment and validates it with a zod
 * schema. Every key has an embedded-mode default where one makes sense, so `npm start`
 * needs no env at all; a bad value fails start-up with every problem listed at once.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`)
    .join('\n');
  throw new Error(`Invalid configuration:\n${problems}`);
}

/** Env fields shared by every service. */
export const commonEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  /** Where embedded adapters keep their data (PGlite, documents, blobs). */
  DATA_DIR: z.string().default('.data'),
  /** PostgreSQL URL; unset means embedded PGlite under DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /** Max accepted HTTP body size in bytes. */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
};

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** The ports' servers (see infra.ts): each one unset stays in process, as in embedded mode. */
export const infraEnv = {
  REDIS_URL: z.string().url().optional(),
  /** Comma-separated host:port list. */
  KAFKA_BROKERS: z.string().optional(),
  AMQP_URL: z.string().url().optional(),
  MONGO_URL: z.string().url().optional(),
};

/** LOG_LEVEL, read before any service config exists (the root logger is made first). */
export const logLevelOf = (env: NodeJS.ProcessEnv) =>
  commonEnv.LOG_LEVEL.catch('info').parse(env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : undefined));
