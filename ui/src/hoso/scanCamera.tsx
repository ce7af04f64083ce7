// Document camera ("Máy ảnh"): live preview, camera picker (same pattern as the QR webcam panel,
// remembered separately), and one full-resolution still per capture, JPEG, base64 for scan_camera.
import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { UiError } from "../bindings";

const STORE_KEY = "motcua.doccamera";

/** Strips `data:...;base64,` from a data URL. */
export function stripDataUrl(url: string): string {
  const i = url.indexOf(",");
  return url.startsWith("data:") && i >= 0 ? url.slice(i + 1) : url;
}

export function blobToBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(stripDataUrl(String(r.result)));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}

/** The biggest frame the track offers (document cameras do 8–13 MP stills; previews are smaller). */
async function raiseResolution(track: MediaStreamTrack) {
  const caps = (track.getCapabilities?.() ?? {}) as MediaTrackCapabilities;
  const w = caps.width?.max;
  const h = caps.height?.max;
  if (!w || !h) return;
  try {
    await track.applyConstraints({ width: { ideal: w }, height: { ideal: h } });
  } catch {
    // Keep whatever the camera gave.
  }
}

type ImageCaptureLike = { takePhoto: () => Promise<Blob> };
type ImageCaptureCtor = new (t: MediaStreamTrack) => ImageCaptureLike;

/** One JPEG still: ImageCapture.takePhoto when the engine has it (full sensor), else the video frame. */
export async function captureJpeg(video: HTMLVideoElement, track: MediaStreamTrack | null): Promise<Blob> {
  const IC = (window as unknown as { ImageCapture?: ImageCaptureCtor }).ImageCapture;
  if (IC && track) {
    try {
      const b = await new IC(track).takePhoto();
      if (b.type === "image/jpeg" && b.size > 0) return b;
    } catch {
      // Fall through to the canvas.
    }
  }
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (!w || !h) throw new Error("no_frame");
  const c = document.createElement("canvas");
  c.width = w;
  c.height = h;
  const ctx = c.getContext("2d");
  if (!ctx) throw new Error("no_canvas");
  ctx.drawImage(video, 0, 0, w, h);
  return new Promise((resolve, reject) =>
    c.toBlob((b) => (b ? resolve(b) : reject(new Error("encode"))), "image/jpeg", 0.92),
  );
}

/** `capture` is filled with a function taking one still (base64 JPEG), or null while the camera is off. */
export function DocCamera({
  capture,
  onError,
}: {
  capture: RefObject<(() => Promise<string>) | null>;
  onError: (e: UiError) => void;
}) {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [deviceId, setDeviceId] = useState<string>(() => localStorage.getItem(STORE_KEY) ?? "");
  const [size, setSize] = useState<[number, number] | null>(null);
  const video = useRef<HTMLVideoElement>(null);

  const refreshDevices = async () => {
    try {
      const all = await navigator.mediaDevices.enumerateDevices();
      setDevices(all.filter((d) => d.kind === "videoinput"));
    } catch {
      setDevices([]);
    }
  };

  useEffect(() => {
    let stream: MediaStream | null = null;
    let stopped = false;
    void (async () => {
      try {
        if (!navigator.mediaDevices?.getUserMedia) throw new Error("NotSupportedError");
        stream = await navigator.mediaDevices.getUserMedia({
          video: {
            deviceId: deviceId ? { exact: deviceId } : undefined,
            width: { ideal: 4096 },
            height: { ideal: 3072 },
          },
          audio: false,
        });
        if (stopped) return stream.getTracks().forEach((t) => t.stop());
        const track = stream.getVideoTracks()[0] ?? null;
        if (track) await raiseResolution(track);
        const v = video.current;
        if (v) {
          v.srcObject = stream;
          v.onloadedmetadata = () => setSize([v.videoWidth, v.videoHeight]);
          await v.play().catch(() => undefined);
          if (v.videoWidth) setSize([v.videoWidth, v.videoHeight]);
        }
        capture.current = async () => {
          const vv = video.current;
          if (!vv) throw new Error("no_frame");
          return blobToBase64(await captureJpeg(vv, track));
        };
        void refreshDevices();
      } catch (e) {
        capture.current = null;
        onError({
          code: "camera",
          message: `Không mở được máy ảnh (${(e as Error)?.name ?? e}). Kiểm tra máy ảnh đã cắm và không bị ứng dụng khác dùng.`,
        });
      }
    })();
    return () => {
      stopped = true;
      capture.current = null;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [deviceId]);

  useEffect(() => void refreshDevices(), []);

  return (
    <div class="doc-camera" data-testid="doc-camera">
      {devices.length > 1 && (
        <select
          aria-label="Chọn máy ảnh"
          value={deviceId}
          onChange={(e) => {
            const id = (e.currentTarget as HTMLSelectElement).value;
            localStorage.setItem(STORE_KEY, id);
            setDeviceId(id);
          }}
        >
          <option value="">Máy ảnh mặc định</option>
          {devices.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label || `Máy ảnh ${i + 1}`}
            </option>
          ))}
        </select>
      )}
      <video ref={video} muted playsInline class="doc-camera-view" />
      {size && (
        <div class="hint">
          Ảnh chụp: {size[0]}×{size[1]} điểm ảnh
        </div>
      )}
    </div>
  );
}
