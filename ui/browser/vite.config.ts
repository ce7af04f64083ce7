import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// The browser-test harness only (`npm run test:browser`), built into ui/dist-browser.
export default defineConfig({
  root: __dirname,
  base: "./",
  plugins: [preact()],
  build: { outDir: "../dist-browser", emptyOutDir: true },
  logLevel: "warn",
});
