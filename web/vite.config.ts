import react from "@vitejs/plugin-react";
import { defineConfig, type ProxyOptions } from "vite";

const api = "http://localhost:3000";
const devPort = 5173;

/**
 * The server refuses cookie-authenticated writes whose Origin is not its own. Behind the dev proxy the
 * browser's origin is the dev server's, so requests from this dev server (and only from it) are
 * presented with the API's origin.
 */
const apiProxy: ProxyOptions = {
  target: api,
  configure: (proxy) => {
    proxy.on("proxyReq", (proxyRequest, request) => {
      const origin = request.headers.origin;
      if (origin === `http://localhost:${devPort}` || origin === `http://127.0.0.1:${devPort}`) {
        proxyRequest.setHeader("origin", api);
      }
    });
  },
};

/** The web app: built into dist/web, which the server serves; `npm run dev:web` proxies the API. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    // The CSP allows only 'self' and installs may be offline: everything is bundled, nothing is fetched.
    assetsInlineLimit: 0,
    // The dashboard's lazy chunk carries the ECharts modules it uses (about 220 kB gzipped).
    chunkSizeWarningLimit: 700,
  },
  server: {
    port: devPort,
    strictPort: true,
    proxy: { "/api": apiProxy, "/healthz": { target: api } },
  },
});
