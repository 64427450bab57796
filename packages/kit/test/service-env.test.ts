import { loadConfig } from '../src/config';
import { serviceEnvSchema } from '../src/service';

describe('the env of a service run alone', () => {
  it("takes MAX_BODY_BYTES from the env, else the service's own default, else 1 MiB", () => {
    const fifteenMiB = 15 * 1024 * 1024;
    expect(loadConfig(serviceEnvSchema(4000), {}).MAX_BODY_BYTES).toBe(1_048_576);
    expect(loadConfig(serviceEnvSchema(4000, fifteenMiB), {}).MAX_BODY_BYTES).toBe(fifteenMiB);
    expect(loadConfig(serviceEnvSchema(4000, fifteenMiB), { MAX_BODY_BYTES: '2048' }).MAX_BODY_BYTES).toBe(2048);
    expect(() => loadConfig(serviceEnvSchema(4000, fifteenMiB), { MAX_BODY_BYTES: '-1' })).toThrow(/MAX_BODY_BYTES/);
  });
});
