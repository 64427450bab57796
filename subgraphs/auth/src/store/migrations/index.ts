import { Identity1700000000000 } from './1700000000000-identity';
import { RefreshGrace1763000000000 } from './1763000000000-refresh-grace';

/** In order; never edit a migration that has shipped, add a new one. */
export const migrations = [Identity1700000000000, RefreshGrace1763000000000];
