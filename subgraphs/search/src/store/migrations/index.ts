import { SearchGenerations1700000000000 } from './1700000000000-generations';

/** In order; never edit a migration that has shipped, add a new one. */
export const migrations: (new () => unknown)[] = [SearchGenerations1700000000000];
