import { authService } from '@agora/auth/service';
import { commentsService } from '@agora/comments/service';
import { forumService } from '@agora/forum/service';
import type { ServiceDefinition } from '@agora/kit/service';
import { picturesService } from '@agora/pictures/service';
import { usersService } from '@agora/users/service';

/**
 * Every subgraph service that exists. Add a new one here. auth comes first (the stack
 * verifies tokens with its JWKS), then users (it consumes auth's registrations).
 */
export const SERVICES: ServiceDefinition[] = [
  authService,
  usersService,
  forumService,
  picturesService,
  commentsService,
];
