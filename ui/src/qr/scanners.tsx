// QR sources in the side panel: the webcam (picker, live preview, detection overlay, beep) and
// the serial-port scanner setting. The keyboard-wedge listener is global (see wedge.ts).
import { useEffect, useRef, useState } from "preact/hooks";
import type { FrameDecode, QrCitizenView, SerialStatus, UiError } from "../bindings";
import { call, commands } from "../ipc";
import { ErrorBanner } from "../widgets";
import { decodeFrame, frameSize, toGrey } from "./decode";

/** Short beep on a successful scan (WebAudio; silent where audio is unavailable). */
export function beep() {
  try {
    const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.frequency.value = 1760;
    g.gain.value = 0.15;
    o.connect(g).connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.12);
    o.onended = () => void ctx.close();
  } catch {
    // No audio device: the overlay still shows the success.
  }
}

type Props = { onScanned: (qr: QrCitizenView) => void; onError: (e: UiError) => void };

/** The same payload seen again within this time is not submitted again. */
const REPEAT_MS = 4000;

export function CameraPanel({ onScanned, onError }: Props) {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [deviceId, setDeviceId] = useState<string>(() => localStorage.getItem("motcua.camera") ?? "");
  const [on, setOn] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const [fps, setFps] = useState(0);
  const [hit, setHit] = useState<FrameDecode | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ payload: string; at: number } | null>(null);

  const refreshDevices = async () => {
    try {
      const all = await navigator.mediaDevices.enumerateDevices();
      setDevices(all.filter((d) => d.kind === "videoinput"));
    } catch {
      setDevices([]);
    }
  };

  useEffect(() => {
    if (!on) return;
    let stream: MediaStream | null = null;
    let stopped = false;
    let inFlight = false;
    let frames = 0;
    let since = performance.now();
    const grab = document.createElement("canvas");
    const g2d = grab.getContext("2d", { willReadFrequently: true });
    let grey = new Uint8Array(0);

    const tick = () => {
      const v = video.current;
      if (stopped || !v || !g2d || inFlight || v.readyState < 2 || !v.videoWidth) return;
      const [w, h] = frameSize(v.videoWidth, v.videoHeight);
      if (grab.width !== w || grab.height !== h) {
        grab.width = w;
        grab.height = h;
      }
      if (grey.length !== w * h) grey = new Uint8Array(w * h);
      g2d.drawImage(v, 0, 0, w, h);
      toGrey(g2d.getImageData(0, 0, w, h).data, grey);
      inFlight = true;
      const payload = grey.slice();
      decodeFrame(payload, w, h)
        .then((r) => {
          frames++;
          const now = performance.now();
          if (now - since >= 1000) {
            setFps(Math.round((frames * 1000) / (now - since)));
            frames = 0;
            since = now;
          }
          drawOverlay(r, w, h);
          if (r) void found(r);
        })
        .catch((e) => setError({ code: "decode", message: String((e as UiError)?.message ?? e) }))
        .finally(() => {
          inFlight = false;
        });
    };

    const drawOverlay = (r: FrameDecode | null, w: number, h: number) => {
      const c = overlay.current;
      const ctx = c?.getContext("2d");
      if (!c || !ctx) return;
      c.width = w;
      c.height = h;
      ctx.clearRect(0, 0, w, h);
      if (!r) return;
      ctx.lineWidth = Math.max(3, w / 200);
      ctx.strokeStyle = "#16a34a";
      if (r.points.length >= 3) {
        ctx.beginPath();
        r.points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
        ctx.closePath();
        ctx.stroke();
      } else ctx.strokeRect(4, 4, w - 8, h - 8);
    };

    const found = async (r: FrameDecode) => {
      const now = performance.now();
      if (last.current && last.current.payload === r.payload && now - last.current.at < REPEAT_MS) return;
      last.current = { payload: r.payload, at: now };
      setHit(r);
      beep();
      const res = await call(commands.submitQr({ payload: r.payload, source: "camera" }));
      if (res.ok) onScanned(res.ok);
      else onError(res.error);
    };

    const timer = setInterval(tick, 40);
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { deviceId: deviceId ? { exact: deviceId } : undefined, width: { ideal: 1280 }, height: { ideal: 720 } },
          audio: false,
        });
        if (stopped) return stream.getTracks().forEach((t) => t.stop());
        if (video.current) {
          video.current.srcObject = stream;
          await video.current.play().catch(() => undefined);
        }
        setError(null);
        void refreshDevices();
      } catch (e) {
        setError({
          code: "camera",
          message: `Không mở được camera (${(e as Error)?.name ?? e}). Kiểm tra camera đã cắm và không bị ứng dụng khác dùng.`,
        });
      }
    })();
    return () => {
      stopped = true;
      clearInterval(timer);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [on, deviceId]);

  useEffect(() => {
    void refreshDevices();
  }, []);

  return (
    <div class="camera" data-testid="camera-panel">
      <div class="row">
        <button class="secondary" data-testid="camera-toggle" onClick={() => setOn(!on)}>
          {on ? "Tắt camera" : "Quét QR bằng camera"}
        </button>
        {devices.length > 1 && (
          <select
            aria-label="Chọn camera"
            data-testid="camera-select"
            value={deviceId}
            onChange={(e) => {
              const id = (e.currentTarget as HTMLSelectElement).value;
              localStorage.setItem("motcua.camera", id);
              setDeviceId(id);
            }}
          >
            <option value="">Camera mặc định</option>
            {devices.map((d, i) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || `Camera ${i + 1}`}
              </option>
            ))}
          </select>
        )}
      </div>
      {on && (
        <div class="camera-view">
          <video ref={video} muted playsInline data-testid="camera-video" />
          <canvas ref={overlay} class="camera-overlay" data-testid="camera-overlay" />
          <div class="camera-status">
            <span data-testid="camera-fps" data-fps={fps}>
              {fps} khung/giây
            </span>
            {hit && (
              <span class="camera-hit" data-testid="camera-hit">
                {" "}
                · Đã đọc mã QR
              </span>
            )}
          </div>
        </div>
      )}
      <ErrorBanner error={error} />
    </div>
  );
}

const BAUDS = [9600, 19200, 38400, 57600, 115200];

/** The serial-port scanner option; the choice is remembered and reopened at start. */
export function SerialControl() {
  const [st, setSt] = useState<SerialStatus | null>(null);
  const [path, setPath] = useState(() => localStorage.getItem("motcua.serial.path") ?? "");
  const [baud, setBaud] = useState(() => Number(localStorage.getItem("motcua.serial.baud") ?? 9600));
  const [error, setError] = useState<UiError | null>(null);

  const start = async (p: string, b: number) => {
    const r = await call(commands.serialStart({ path: p, baud: b }));
    if (r.ok) {
      setSt(r.ok);
      setError(null);
      localStorage.setItem("motcua.serial.path", p);
      localStorage.setItem("motcua.serial.baud", String(b));
    } else setError(r.error);
  };
  const stop = async () => {
    const r = await call(commands.serialStop());
    if (r.ok) setSt(r.ok);
    localStorage.removeItem("motcua.serial.path");
  };

  useEffect(() => {
    void call(commands.serialStatus()).then((r) => {
      if (!r.ok) return;
      setSt(r.ok);
      const saved = localStorage.getItem("motcua.serial.path");
      if (saved && !r.ok.path && r.ok.ports.includes(saved)) void start(saved, baud);
    });
  }, []);

  const ports = st?.ports ?? [];
  return (
    <details class="serial" data-testid="serial-control">
      <summary>Máy quét QR cổng serial {st?.path ? `— đang dùng ${st.path}` : "— chưa dùng"}</summary>
      <div class="row">
        <select aria-label="Cổng serial" value={path} onChange={(e) => setPath((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">{ports.length ? "Chọn cổng…" : "Không thấy cổng serial nào"}</option>
          {ports.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <select aria-label="Tốc độ (baud)" value={String(baud)} onChange={(e) => setBaud(Number((e.currentTarget as HTMLSelectElement).value))}>
          {BAUDS.map((b) => (
            <option key={b} value={String(b)}>
              {b}
            </option>
          ))}
        </select>
      </div>
      <div class="row">
        <button class="secondary" disabled={!path} onClick={() => void start(path, baud)}>
          Mở cổng
        </button>
        <button class="ghost" disabled={!st?.path} onClick={() => void stop()}>
          Đóng
        </button>
        <button class="ghost" onClick={() => void call(commands.serialStatus()).then((r) => r.ok && setSt(r.ok))}>
          Tìm lại cổng
        </button>
      </div>
      <ErrorBanner error={error} />
    </details>
  );
}
