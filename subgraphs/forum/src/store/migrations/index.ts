import { Panels1700000000000 } from './1700000000000-panels';
import { Posts1700000000001 } from './1700000000001-posts';

/** In order; never edit a migration that has shipped, add a new one. */
export const migrations = [Panels1700000000000, Posts1700000000001];
