import { gql, spawnTsx } from '../src/testing';

/**
 * SIGTERM to a service process (runService, as every subgraph runs alone): it stops taking
 * new work (its port closes; /readyz would answer 503), the request in flight gets its answer, the
 * hooks run (server, then ports) and it exits 0. Apollo Server's own signal handler, which
 * would re-raise the signal and kill the process with 143 first, is off.
 */
describe('service SIGTERM', () => {
  it('finishes the request in flight and exits 0', async () => {
    const service = spawnTsx('packages/kit/test/fixtures/slow-subgraph.ts', { PORT: '0' });
    try {
      const listening = await service.waitForLog('slow subgraph listening');
      const url = String(listening.url);
      const inFlight = gql<{ slow: string }>(url, '{ slow(ms: 1500) }');
      await new Promise((done) => setTimeout(done, 300));
      service.kill('SIGTERM');
      await service.waitForLog('shutting down');

      const answered = await inFlight;
      expect(answered.errors).toBeUndefined();
      expect(answered.data).toEqual({ slow: 'slept 1500' });
      expect(await service.exited).toEqual({ code: 0, signal: null });
      expect(service.logs().map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
      // Nothing after SIGTERM was logged as an error.
      expect(service.logs().filter((l) => Number(l.level) >= 50)).toEqual([]);
    } finally {
      service.kill('SIGKILL');
    }
  }, 60_000);
});
