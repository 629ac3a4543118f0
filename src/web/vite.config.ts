// Vite build of the browser client: root is this folder, output in ./dist, which every instance
// serves at `/`. `npm run build:web` runs it.
import { defineConfig } from "vite";

const here = decodeURIComponent(new URL(".", import.meta.url).pathname);

export default defineConfig({
  root: here,
  base: "/",
  publicDir: false,
  build: {
    outDir: `${here}dist`,
    emptyOutDir: true,
    target: "es2022",
    // The CSP allows scripts from 'self' only, so no inline module-preload polyfill.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    // `npx vite --config src/web/vite.config.ts` for development against an instance on :3000.
    proxy: {
      "/api": "http://127.0.0.1:3000",
      "/socket.io": { target: "ws://127.0.0.1:3000", ws: true },
    },
  },
});
