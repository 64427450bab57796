import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The API explorer (GraphiQL and its Monaco editor, workers included) bundled into
 * gateway/explorer/dist, which the gateway serves under /explorer/ and at /graphql for
 * browsers: nothing is loaded from a CDN.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/explorer/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 8_000,
  },
  worker: { format: 'es' },
});
