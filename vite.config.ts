import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is one static bundle, loaded by the Electron window through
// app://vega/ and by the web host over HTTP; relative paths serve both.
export default defineConfig(({ command, mode }) => {
  // The dev server (npm run dev) adds an inline script, React's fast-refresh
  // preamble, which the page's CSP refuses; a nonce made for this run lets
  // that one in. The built app keeps the CSP as written.
  const nonce = command === 'serve' ? randomBytes(16).toString('base64') : undefined;
  return {
    root: 'src-renderer',
    base: './',
    plugins: [react(), precompress(), ...(nonce ? [cspNonce(nonce)] : [])],
    ...(nonce ? { html: { cspNonce: nonce } } : {}),
    build: {
      outDir: '../out/renderer',
      emptyOutDir: true,
      // Maps carry the whole renderer source (5 MB): a development build only (`vite build --mode development`);
      // `npm run dev` serves its own from the dev server.
      sourcemap: mode === 'development',
      chunkSizeWarningLimit: 1500,
    },
  };
});

/** Allow the scripts Vite marks with `nonce` in the page's own CSP. */
function cspNonce(nonce: string): Plugin {
  return {
    name: 'vega:csp-nonce',
    transformIndexHtml: (html) => html.replace("script-src 'self'", `script-src 'self' 'nonce-${nonce}'`),
  };
}

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);
const COMPRESSIBLE = /\.(js|css|html|svg|json)$/;

/**
 * Write a brotli (.br) and a gzip (.gz) copy beside every text asset of a
 * build, once: the web host sends the copy the browser accepts instead of
 * compressing on every request. Brotli 10, not 11: within 2% of its size
 * here at a third of the build time.
 */
function precompress(): Plugin {
  return {
    name: 'vega:precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir ?? '';
      await Promise.all(
        Object.values(bundle)
          .filter((item) => COMPRESSIBLE.test(item.fileName))
          .map(async (item) => {
            // Read back as written (with any source-map comment the bundler appended).
            const file = path.join(dir, item.fileName);
            const body = await readFile(file);
            await Promise.all([
              brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 10, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }).then(
                (b) => writeFile(`${file}.br`, b),
              ),
              gz(body, { level: 9 }).then((b) => writeFile(`${file}.gz`, b)),
            ]);
          }),
      );
    },
  };
}
