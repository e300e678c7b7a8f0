import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const clientRoot = fileURLToPath(new URL('.', import.meta.url));
/** The one folder outside client/ the client imports at run time (zod schemas, constants). */
const contracts = fileURLToPath(new URL('../server/src/contracts/', import.meta.url));
const hub = process.env.LIENTHONG_HUB_URL ?? 'http://127.0.0.1:8080';

/**
 * The web client. `npm run dev` is Vite's dev server for it alone (port 5173), talking to a hub
 * running elsewhere; the hub itself only ever serves the build (client/dist).
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
    // Only the client and the shared contracts may be read through /@fs/: never the repository
    // root, where data/secrets holds the hub's keys. The denials hold even inside those folders.
    fs: {
      strict: true,
      allow: [clientRoot, contracts],
      deny: ['.env', '.env.*', '*.{crt,pem,key,p12,pfx}', '**/data/**', '**/secrets/**'],
    },
    proxy: {
      '/api': hub,
      '/pki': hub,
      '/socket.io': { target: hub, ws: true },
    },
  },
});
