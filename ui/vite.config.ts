// Vite build of the kiosk UI: two pages — the participant window (index.html) and the staff
// window (staff.html) — with relative asset paths (Tauri serves ui/dist from its own origin), no
// inline scripts or styles (the CSP forbids both), one predictable bundle per page
// (assets/index-*.js, assets/staff-*.js, their shared code in assets/shared-*.js, one stylesheet).
import { defineConfig } from "vite";
import preact from "@preact/preset-vite";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The speech files' extension from ui/public/voice/manifest.json (written by scripts/gen-voice),
 * read at build time: the CSP allows no fetch from the page. No manifest → no speech. */
function voiceFormat(): string | null {
  const path = new URL("./public/voice/manifest.json", import.meta.url);
  if (!existsSync(path)) return null;
  try {
    const format = JSON.parse(readFileSync(path, "utf8")).format;
    return ["ogg", "wav", "mp3", "opus", "m4a"].includes(format) ? format : null;
  } catch {
    return null;
  }
}

export default defineConfig(({ mode }) => ({
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  base: "./",
  define: {
    // The test-only state read (window.__hakaruState) exists only in `vite build --mode test`.
    __HAKARU_TEST__: JSON.stringify(mode === "test"),
    __VOICE_FORMAT__: JSON.stringify(voiceFormat()),
  },
  build: {
    target: "es2022",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    sourcemap: false,
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL("./index.html", import.meta.url)),
        staff: fileURLToPath(new URL("./staff.html", import.meta.url)),
      },
      output: {
        entryFileNames: "assets/[name]-[hash].js",
        chunkFileNames: "assets/shared-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]",
      },
    },
  },
  server: { strictPort: true },
}));
