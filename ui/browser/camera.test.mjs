// Browser test of the webcam panel: Chromium's fake camera plays a generated .y4m clip showing an
// ID-card QR; the panel grabs frames, reduces them to grey ≤ 1280×720 and sends them to the
// product decoder (qr-decode, behind `qr-testserve`); the payload must come back byte-exact and be
// submitted once. Prints the decode rate (measured, not asserted).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const ui = resolve(here, "..");
const repo = resolve(ui, "..");
// An invented person (province 079, born 1990, male): valid for qr-payload.
const PAYLOAD = "079090123456||Nguyễn Văn Thử|15031990|Nam|Số 5 Đường Mẫu, Phường Thử, Quận 1, TP Hồ Chí Minh|01062021";

function fail(msg) {
  console.error(`FAIL: ${msg}`);
  process.exitCode = 1;
}

const targetDir = process.env.CARGO_TARGET_DIR ?? join(repo, "target");
let bin = process.env.QR_TESTSERVE ?? join(targetDir, "debug", "qr-testserve");
if (!process.env.QR_TESTSERVE) {
  execFileSync("cargo", ["build", "-q", "-p", "qr-testserve"], { cwd: repo, stdio: "inherit" });
}
if (!existsSync(bin)) throw new Error(`qr-testserve not found at ${bin}`);

execFileSync("npx", ["vite", "build", "--config", join(here, "vite.config.ts")], { cwd: ui, stdio: "inherit" });

const tmp = mkdtempSync(join(tmpdir(), "motcua-cam-"));
const clip = join(tmp, "qr.y4m");
execFileSync(bin, ["y4m", clip, PAYLOAD]);

const server = spawn(bin, ["serve", join(ui, "dist-browser")], { stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise((ok, ko) => {
  server.stdout.on("data", (d) => {
    const m = /listening (\d+)/.exec(String(d));
    if (m) ok(Number(m[1]));
  });
  server.on("exit", (c) => ko(new Error(`qr-testserve exited ${c}`)));
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${clip}`,
    "--no-sandbox",
    "--autoplay-policy=no-user-gesture-required",
  ],
});
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(`http://127.0.0.1:${port}/index.html`);
  await page.getByTestId("camera-toggle").click();
  await page.waitForFunction(() => window.__qrTest.submitted.length > 0, null, { timeout: 30_000 });
  const first = await page.evaluate(() => ({ ...window.__qrTest }));
  if (first.submitted[0] !== PAYLOAD) fail(`payload differs: ${JSON.stringify(first.submitted[0])}`);
  const [w, h] = first.sizes[0].split("x").map(Number);
  if (!(w > 0 && h > 0 && w <= 1280 && h <= 720)) fail(`frame size ${first.sizes[0]}`);
  if (!(await page.getByTestId("camera-hit").isVisible())) fail("no success mark");
  // Decode rate over 3 s of live video (frames are dropped while one is in flight).
  const d0 = await page.evaluate(() => window.__qrTest.decodes);
  await page.waitForTimeout(3000);
  const after = await page.evaluate(() => ({ ...window.__qrTest }));
  const fps = (after.decodes - d0) / 3;
  if (after.submitted.length !== 1) fail(`the same code was submitted ${after.submitted.length} times`);
  if (after.errors.length) fail(`errors: ${after.errors.join("; ")}`);
  const shown = await page.getByTestId("camera-fps").getAttribute("data-fps");
  console.log(`MEASURE webcam panel: ${fps.toFixed(1)} decoded frames/s (panel shows ${shown}), frame ${first.sizes[0]}`);
  if (!process.exitCode) console.log("ok: webcam panel decoded the fake camera's QR byte-exact and submitted it once");
} finally {
  await browser.close();
  server.kill();
}
