import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** The JavaScript of the first page (the app's entry and the home route), compressed, may not exceed this. */
export const FIRST_PAGE_BUDGET_BYTES = 150 * 1024;
/** The page a visitor lands on at `/`. */
const HOME_PAGE = 'src/pages/Panels.tsx';
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt|webmanifest)$/;

interface OutputChunk {
  type: 'chunk';
  fileName: string;
  isEntry: boolean;
  facadeModuleId: string | null;
  imports: string[];
}

const brotli = (bytes: Buffer) =>
  brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
const gzip = (bytes: Buffer) => gzipSync(bytes, { level: 9 });

/**
 * Delivery: every text asset is written precompressed next to itself (`.br`, `.gz`) for
 * the gateway to serve with Content-Encoding, and the build reports the first page's
 * JavaScript — the entry chunk, the home page's chunk and everything they import
 * statically — compressed, in `.vite/first-page.json`; over the budget, the build fails.
 */
function delivery(): Plugin {
  return {
    name: 'agora-delivery',
    apply: 'build',
    writeBundle(options, bundle) {
      const outDir = options.dir!;
      const sizes = new Map<string, { raw: number; gzip: number; brotli: number }>();
      for (const fileName of Object.keys(bundle)) {
        if (!COMPRESSIBLE.test(fileName)) continue;
        const path = join(outDir, fileName);
        const bytes = readFileSync(path);
        const [br, gz] = [brotli(bytes), gzip(bytes)];
        if (br.length < bytes.length) writeFileSync(`${path}.br`, br);
        if (gz.length < bytes.length) writeFileSync(`${path}.gz`, gz);
        sizes.set(fileName, { raw: bytes.length, gzip: gz.length, brotli: br.length });
      }

      const chunks = Object.values(bundle).filter((item): item is OutputChunk & typeof item => item.type === 'chunk');
      const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
      const firstPage = new Set<string>();
      const add = (chunk: OutputChunk | undefined) => {
        if (!chunk || firstPage.has(chunk.fileName)) return;
        firstPage.add(chunk.fileName);
        for (const name of chunk.imports) add(byName.get(name));
      };
      add(chunks.find((chunk) => chunk.isEntry));
      const home = chunks.find((chunk) => chunk.facadeModuleId?.replace(/\\/g, '/').endsWith(HOME_PAGE));
      if (!home) throw new Error(`agora-delivery: no chunk for ${HOME_PAGE}`);
      add(home);

      const files = [...firstPage].sort();
      const total = (key: 'raw' | 'gzip' | 'brotli') => files.reduce((sum, f) => sum + (sizes.get(f)?.[key] ?? 0), 0);
      const report = {
        budgetBytes: FIRST_PAGE_BUDGET_BYTES,
        files,
        rawBytes: total('raw'),
        gzipBytes: total('gzip'),
        brotliBytes: total('brotli'),
      };
      mkdirSync(join(outDir, '.vite'), { recursive: true });
      writeFileSync(join(outDir, '.vite', 'first-page.json'), `${JSON.stringify(report, null, 2)}\n`);
      const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
      const verdict = report.gzipBytes <= FIRST_PAGE_BUDGET_BYTES ? 'within' : 'OVER';
      console.log(
        `first page JavaScript: ${kb(report.gzipBytes)} gzip, ${kb(report.brotliBytes)} brotli ` +
          `(${kb(report.rawBytes)} raw, ${files.length} files) — ${verdict} the ${kb(FIRST_PAGE_BUDGET_BYTES)} budget`,
      );
      if (verdict === 'OVER') throw new Error('The first page JavaScript is over its budget');
    },
  };
}

// The gateway serves the built app at / and the API at /graphql; in `vite dev`, proxy the API.
export default defineConfig({
  plugins: [delivery()],
  build: { reportCompressedSize: false },
  server: { proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } } },
});
