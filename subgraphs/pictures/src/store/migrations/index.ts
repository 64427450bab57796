import { Pictures1700000000000 } from './1700000000000-pictures';

/** In order; never edit a migration that has shipped, add a new one. */
export const migrations = [Pictures1700000000000];
