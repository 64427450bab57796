import { badInput } from '@agora/kit/errors';
import { displayName } from '@agora/kit/profile';
import { charLength } from '@agora/kit/text';

export const BIO_MAX = 500;

export interface ProfileChanges {
  displayName?: string;
  bio?: string;
}

/** Validates a profile edit; an omitted (or null) field keeps its value, an empty bio clears it. */
export function profileChanges(input: { displayName?: string | null; bio?: string | null }): ProfileChanges {
  const changes: ProfileChanges = {};
  if (input.displayName !== undefined && input.displayName !== null)
    changes.displayName = displayName(input.displayName);
  if (input.bio !== undefined && input.bio !== null) {
    const bio = input.bio.trim();
    if (bio.includes('\u0000')) throw badInput('Bio must not contain NUL characters', 'bio');
    if (charLength(bio) > BIO_MAX) throw badInput(`Bio must be at most ${BIO_MAX} characters`, 'bio');
    changes.bio = bio;
  }
  return changes;
}
