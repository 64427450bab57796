import { blocksMigrations } from '@agora/kit/blocks';
import { Notifications1700000000000 } from './1700000000000-notifications';

/** In order; never edit a migration that has shipped, add a new one. */
export const migrations = [...blocksMigrations, Notifications1700000000000];
