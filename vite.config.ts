import { randomBytes } from 'node:crypto';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is one static bundle, loaded by the Electron window through
// app://vega/ and by the web host over HTTP; relative paths serve both.
export default defineConfig(({ command }) => {
  // The dev server (npm run dev) adds an inline script, React's fast-refresh
  // preamble, which the page's CSP refuses; a nonce made for this run lets
  // that one in. The built app keeps the CSP as written.
  const nonce = command === 'serve' ? randomBytes(16).toString('base64') : undefined;
  return {
    root: 'src-renderer',
    base: './',
    plugins: [react(), ...(nonce ? [cspNonce(nonce)] : [])],
    ...(nonce ? { html: { cspNonce: nonce } } : {}),
    build: {
      outDir: '../out/renderer',
      emptyOutDir: true,
      sourcemap: true,
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
