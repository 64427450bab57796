import { describe } from '@jest/globals';

/** The env var each real backing service is reached through (as `scripts/devstack env` prints them). */
export type ServiceEnv = 'DATABASE_URL' | 'REDIS_URL' | 'AMQP_URL' | 'KAFKA_BROKERS' | 'MONGO_URL';

/**
 * Runs `suite` when every named env var is set, so tests against real PostgreSQL, Redis,
 * RabbitMQ, Kafka or MongoDB run whenever devstack is up; otherwise the suite is skipped
 * under a title that says what it needs (the test runner counts and reports skips).
 * `suite` gets the env values in the order given.
 */
export function describeWithService(
  needs: ServiceEnv | ServiceEnv[],
  title: string,
  suite: (...values: string[]) => void,
): void {
  const names = Array.isArray(needs) ? needs : [needs];
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    describe.skip(`${title} (needs ${missing.join(', ')}: run \`npm run devstack -- up\`)`, () => {
      suite(...names.map(() => ''));
    });
    return;
  }
  describe(title, () => suite(...names.map((name) => process.env[name]!)));
}
