import { z } from 'zod';
import { loadConfig } from '@agora/kit/config';
import { DEFAULT_REFRESH_GRACE_MS } from './store/sessions';

/**
 * ADMIN_EMAILS (comma-separated; those accounts get the admin role) and
 * REFRESH_GRACE_SECONDS (how long a just-traded refresh token still gets the same new
 * pair instead of ending its session as a replay; 0 turns the grace off, at most 60).
 */
export function authSettings(env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(
    z.object({
      ADMIN_EMAILS: z.string().optional(),
      REFRESH_GRACE_SECONDS: z.coerce
        .number()
        .min(0)
        .max(60)
        .default(DEFAULT_REFRESH_GRACE_MS / 1000),
    }),
    env,
  );
  return { adminEmails: config.ADMIN_EMAILS, refreshGraceMs: config.REFRESH_GRACE_SECONDS * 1000 };
}
