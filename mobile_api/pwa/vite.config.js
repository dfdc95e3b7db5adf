// Build: `npm ci && npm run build` (or `make pwa` at the repo root). The output in dist/ is committed,
// so the server runs on machines without Node.js; tests/mobile_api/test_pwa_build.py checks it is fresh.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

const SOURCES = ["index.html", "vite.config.js", "package-lock.json", "src", "public"];

function files(path) {
  return statSync(path).isDirectory() ? readdirSync(path).sort().flatMap((name) => files(join(path, name))) : [path];
}

// One digest of every input, written into dist/ so a stale committed build is caught by a test.
function sourceDigest() {
  const hash = createHash("sha256");
  for (const file of SOURCES.flatMap(files)) {
    hash.update(relative(".", file).replaceAll("\\", "/"));
    hash.update("\0");
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

const buildInfo = {
  name: "parksafe-build-info",
  generateBundle() {
    this.emitFile({ type: "asset", fileName: "build-info.json", source: JSON.stringify({ sources_sha256: sourceDigest() }) + "\n" });
  },
};

export default defineConfig({
  base: "/",
  build: { outDir: "dist", emptyOutDir: true, target: "es2020", sourcemap: false },
  plugins: [
    buildInfo,
    VitePWA({
      registerType: "prompt", // never reload under an inspector's thumb: the app asks first
      injectRegister: false,
      includeAssets: ["icons/icon.svg"],
      manifest: {
        name: "园安 · 化工园区隐患排查治理",
        short_name: "园安",
        description: "隐患随手拍：离线拍照上报、整改、验收",
        lang: "zh-CN",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        background_color: "#ffffff",
        theme_color: "#0b5394",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        globPatterns: ["**/*.{js,css,html,svg,png,webmanifest}"],
        navigateFallback: "/index.html",
        navigateFallbackDenylist: [/^\/api\//, /^\/schema/, /^\/health/],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: false,
      },
    }),
  ],
});
