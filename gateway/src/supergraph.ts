import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@agora/kit/log';

/**
 * Serves the static supergraph file to Apollo Gateway and hands it a new one whenever the
 * file changes (e.g. after `npm run compose`). A file that fails to load keeps the
 * current schema running and is logged.
 */
export function fileSupergraph(path: string, log: Logger): SupergraphSdlHook {
  return async ({ update }) => {
    const supergraphSdl = await readFile(path, 'utf8');
    let current = supergraphSdl;
    let timer: NodeJS.Timeout | undefined;
    const reload = async () => {
      try {
        const next = await readFile(path, 'utf8');
        if (next === current || next.trim() === '') return;
        update(next);
        current = next;
        log.info({ path }, 'supergraph reloaded');
      } catch (error) {
        log.error({ err: error, path }, 'supergraph reload failed; keeping the current schema');
      }
    };
    // Editors and compose write in several steps: settle before reading.
    const watcher: FSWatcher = watch(path, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 100);
    });
    return {
      supergraphSdl,
      cleanup: async () => {
        clearTimeout(timer);
        watcher.close();
      },
    };
  };
}
