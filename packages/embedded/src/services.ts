import { forumService } from '@agora/forum/service';
import type { ServiceDefinition } from '@agora/kit/service';

/** Every subgraph service that exists, in DESIGN.md's order. Add a new one here. */
export const SERVICES: ServiceDefinition[] = [forumService];
