// Test page for the webcam panel in Chromium with a fake camera: IPC is mocked, except
// `decode_frame`, which goes to the product decoder (qr-decode) served by `qr-testserve` on the
// same origin. Never shipped: built only by `npm run test:browser`.
import { mockIPC } from "@tauri-apps/api/mocks";
import { render } from "preact";
import type { QrCitizenView, UiError } from "../src/bindings";
import { CameraPanel } from "../src/qr/scanners";

type Probe = { submitted: string[]; decodes: number; sizes: string[]; errors: string[] };
const probe: Probe = { submitted: [], decodes: 0, sizes: [], errors: [] };
(window as unknown as { __qrTest: Probe }).__qrTest = probe;

mockIPC((cmd, args) => {
  if (cmd === "submit_qr") {
    const a = (args as { args: { payload: string } }).args;
    probe.submitted.push(a.payload);
    return { source: "camera", accepted: true, design: "", citizen: {}, issues: [], key_ready: true, identification_id: null, at: "" };
  }
  return null;
});

type Internals = { invoke: (cmd: string, args: unknown, opts?: { headers?: Record<string, string> }) => Promise<unknown> };
const internals = (window as unknown as { __TAURI_INTERNALS__: Internals }).__TAURI_INTERNALS__;
const mocked = internals.invoke.bind(internals);
internals.invoke = async (cmd, args, opts) => {
  if (cmd !== "decode_frame") return mocked(cmd, args, opts);
  const w = opts?.headers?.["x-width"];
  const h = opts?.headers?.["x-height"];
  probe.sizes.push(`${w}x${h}`);
  const r = await fetch(`/decode?w=${w}&h=${h}`, { method: "POST", body: args as Uint8Array });
  if (!r.ok) throw { code: "decode", message: await r.text() };
  probe.decodes++;
  return r.json();
};

render(
  <CameraPanel
    onScanned={(q: QrCitizenView) => document.body.setAttribute("data-scanned", q.source)}
    onError={(e: UiError) => probe.errors.push(e.message)}
  />,
  document.getElementById("app")!,
);
