import { defineConfig } from "vite";

// Served by task-sync at `/` on the API's origin; `npm run dev` proxies the API to a running stack.
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    target: "es2020",
    sourcemap: false,
    // the polyfill would be a script of its own; every browser we support preloads modules
    modulePreload: { polyfill: false },
  },
  server: { proxy: { "/api": "http://127.0.0.1:8081" } },
});
