import { Profiles1700000000000 } from './1700000000000-profiles';

/** In order; never edit a migration that has shipped, add a new one. */
export const migrations = [Profiles1700000000000];
