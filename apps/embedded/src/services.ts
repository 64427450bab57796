import { SUBGRAPHS } from '@agora/contracts/subgraphs';
import type { ServiceDefinition } from '@agora/kit/service';

/**
 * Every registered subgraph's service, loaded from `@agora/<name>/service`, which exports it
 * as `<name>Service` (the scaffold writes it so). The registry is the only list to edit.
 */
export async function loadServices(): Promise<ServiceDefinition[]> {
  return Promise.all(
    SUBGRAPHS.map(async ({ name }) => {
      const module = (await import(`@agora/${name}/service`)) as Record<string, ServiceDefinition | undefined>;
      const service = module[`${name}Service`];
      if (!service) throw new Error(`subgraphs/${name}/src/service.ts must export \`${name}Service\``);
      return service;
    }),
  );
}
