/** In order; never edit a migration that has shipped, add a new one. */
export const migrations: (new () => unknown)[] = [];
