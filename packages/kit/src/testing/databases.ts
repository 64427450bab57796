import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

/**
 * For a service's tests against real PostgreSQL: a new, empty database on the server of
 * `serverUrl`, so the service's fixed schema name collides with nobody. `drop` removes it.
 */
export async function freshDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `test_${randomUUID().replaceAll('-', '')}`;
  const server = await new DataSource({ type: 'postgres', url: serverUrl }).initialize();
  await server.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await server.destroy();
    },
  };
}
