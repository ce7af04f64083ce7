// The one command with a raw body: a grey camera frame goes to Rust as bytes, its size in
// headers (`decode_frame` in src-tauri; not in the generated bindings).
import { invoke } from "@tauri-apps/api/core";
import type { FrameDecode } from "../bindings";

export function decodeFrame(grey: Uint8Array, width: number, height: number): Promise<FrameDecode | null> {
  return invoke<FrameDecode | null>("decode_frame", grey, {
    headers: { "x-width": String(width), "x-height": String(height) },
  });
}

/** Largest frame sent to the decoder. */
export const MAX_W = 1280;
export const MAX_H = 720;

/** Frame size for a video of `w`×`h`: at most 1280×720, aspect kept. */
export function frameSize(w: number, h: number): [number, number] {
  const k = Math.min(1, MAX_W / w, MAX_H / h);
  return [Math.max(1, Math.round(w * k)), Math.max(1, Math.round(h * k))];
}

/** RGBA → 8-bit luma (BT.601 integer weights). */
export function toGrey(rgba: Uint8ClampedArray, out: Uint8Array): Uint8Array {
  for (let i = 0, j = 0; j < out.length; i += 4, j++) {
    out[j] = (rgba[i] * 77 + rgba[i + 1] * 150 + rgba[i + 2] * 29) >> 8;
  }
  return out;
}
