import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is one static bundle, loaded by the Electron window through
// app://vega/ and by the web host over HTTP; relative paths serve both.
export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
});
