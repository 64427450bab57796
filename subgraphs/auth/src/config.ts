import { z } from 'zod';
import { loadConfig } from '@agora/kit/config';

/**
 * The auth service's own settings: ADMIN_EMAILS (comma-separated; those accounts get the
 * admin role), REGISTRATIONS_PER_ADDRESS accounts created per client address per
 * REGISTRATION_WINDOW_SECONDS (default 20 an hour).
 */
export function authConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadConfig(
    z.object({
      ADMIN_EMAILS: z.string().optional(),
      REGISTRATIONS_PER_ADDRESS: z.coerce.number().int().positive().default(20),
      REGISTRATION_WINDOW_SECONDS: z.coerce.number().int().positive().default(3600),
    }),
    env,
  );
}
