import { Comments1700000000000 } from './1700000000000-comments';

/** In order; never edit a migration that has shipped, add a new one. */
export const migrations = [Comments1700000000000];
