import { z } from 'zod';
import { loadConfig } from '@agora/kit/config';
import { DEFAULT_REFRESH_GRACE_MS } from './store/sessions';

/**
 * The auth service's own settings: REFRESH_GRACE_SECONDS (how long a just-traded refresh token still gets the
 * same new pair instead of ending its session as a replay; 0 turns the grace off, at most 60),
 * REGISTRATIONS_PER_ADDRESS accounts created per client address per
 * REGISTRATION_WINDOW_SECONDS (default 20 an hour).
 */
export function authSettings(env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(
    z.object({
      REFRESH_GRACE_SECONDS: z.coerce
        .number()
        .min(0)
        .max(60)
        .default(DEFAULT_REFRESH_GRACE_MS / 1000),
      REGISTRATIONS_PER_ADDRESS: z.coerce.number().int().positive().default(20),
      REGISTRATION_WINDOW_SECONDS: z.coerce.number().int().positive().default(3600),
    }),
    env,
  );
  return {
    refreshGraceMs: config.REFRESH_GRACE_SECONDS * 1000,
    registrationsPerAddress: config.REGISTRATIONS_PER_ADDRESS,
    registrationWindowSeconds: config.REGISTRATION_WINDOW_SECONDS,
  };
}
