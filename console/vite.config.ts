import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console builds into the repository's dist/ beside the compiled resolver, so the API
// process finds it at a fixed place relative to itself and the image copies one folder.
// In development Vite serves the pages and hands every API and DoH request to a running
// Nestguard (NESTGUARD_API, default the quick start's 127.0.0.1:8080).

const api = process.env.NESTGUARD_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/dns-query': { target: api },
      '/health': { target: api },
    },
  },
});
