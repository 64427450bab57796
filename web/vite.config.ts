import { defineConfig } from 'vite';

// The gateway serves the built app at / and the API at /graphql; in `vite dev`, proxy the API.
export default defineConfig({
  server: { proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } } },
});
