import { badInput } from '@agora/kit/errors';

export type Relation = 'follow' | 'unfollow' | 'block' | 'unblock';

/** Follows and blocks are between two people: acting on yourself is refused. */
export function otherUser(relation: Relation, actorId: string, targetId: string): string {
  if (actorId === targetId) throw badInput(`You cannot ${relation} yourself`, 'userId');
  return targetId;
}
