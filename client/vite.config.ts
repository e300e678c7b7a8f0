import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const clientRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const hub = process.env.LIENTHONG_HUB_URL ?? 'http://127.0.0.1:8080';

/**
 * The web client. Shared request/response/event types come from ../server/src/contracts, so the
 * dev server must be allowed to read the repository root, not only client/.
 */
export default defineConfig({
  root: clientRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 3000,
    sourcemap: false,
  },
  server: {
    fs: { allow: [repoRoot] },
    // `npx vite client` on its own (port 5173) talks to a hub running elsewhere
    proxy: {
      '/api': hub,
      '/pki': hub,
      '/socket.io': { target: hub, ws: true },
    },
  },
});
