import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { installWedge } from "./wedge";

const PAYLOAD = "001090123456|012345678|Nguyễn Văn Thử|15031990|Nam|Số 5, Phường Thử, Hà Nội|01062021";

/** Types `text` into the focused element like a keyboard: keydown, then the character lands. */
function type(text: string, gapMs: number, opts: { shiftCaps?: boolean } = {}) {
  for (const ch of [...text]) {
    const target = (document.activeElement ?? document.body) as HTMLElement;
    if (opts.shiftCaps && ch !== ch.toLowerCase()) {
      target.dispatchEvent(new KeyboardEvent("keydown", { key: "Shift", bubbles: true, cancelable: true }));
    }
    const ev = new KeyboardEvent("keydown", { key: ch, bubbles: true, cancelable: true });
    const go = target.dispatchEvent(ev);
    if (go && target instanceof HTMLInputElement) {
      target.value += ch;
      target.dispatchEvent(new Event("input", { bubbles: true }));
    }
    vi.advanceTimersByTime(gapMs);
  }
}

function enter(): boolean {
  const target = (document.activeElement ?? document.body) as HTMLElement;
  const ev = new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
  target.dispatchEvent(ev);
  return ev.defaultPrevented;
}

describe("keyboard-wedge scanner", () => {
  let scans: string[];
  let stop: () => void;
  beforeEach(() => {
    vi.useFakeTimers();
    scans = [];
    stop = installWedge((p) => scans.push(p));
  });
  afterEach(() => {
    stop();
    vi.useRealTimers();
    document.body.innerHTML = "";
  });

  it("takes a fast burst ending in Enter, Vietnamese letters included, with focus nowhere", () => {
    type(PAYLOAD, 8, { shiftCaps: true });
    expect(enter()).toBe(true);
    expect(scans).toEqual([PAYLOAD]);
  });

  it("takes the burst back out of a focused text field and keeps what was typed before", () => {
    const input = document.createElement("input");
    document.body.appendChild(input);
    input.focus();
    type("ghi chú", 150);
    vi.advanceTimersByTime(500);
    type(PAYLOAD, 5);
    expect(input.value).toBe("ghi chú" + PAYLOAD);
    let inputs = 0;
    input.addEventListener("input", () => inputs++);
    enter();
    expect(scans).toEqual([PAYLOAD]);
    expect(input.value).toBe("ghi chú");
    expect(inputs).toBe(1); // Preact hears about the restored value
  });

  it("leaves normal typing alone, even long and ending in Enter", () => {
    const input = document.createElement("input");
    document.body.appendChild(input);
    input.focus();
    const text = "Nguyễn Văn Thử, Phường Thử, Hà Nội";
    type(text, 90);
    expect(enter()).toBe(false);
    expect(scans).toEqual([]);
    expect(input.value).toBe(text);
  });

  it("ignores short fast bursts and a held-down key", () => {
    type("123456", 5);
    enter();
    type("a".repeat(40), 30);
    enter();
    expect(scans).toEqual([]);
  });

  it("a pause in the middle splits the burst: two partial scans, never a glued payload", () => {
    type(PAYLOAD.slice(0, 30), 5);
    vi.advanceTimersByTime(300);
    type(PAYLOAD.slice(30), 5);
    enter();
    // Each part reaches Rust on its own and is rejected there as not an ID-card QR.
    expect(scans).toEqual([PAYLOAD.slice(0, 30), PAYLOAD.slice(30)]);
  });

  it("passes a Telex-mangled burst through as typed (Rust reports the damage)", () => {
    // Unikey in Telex mode rewrote nothing here; the scanner typed the letters Telex would turn
    // into diacritics, so the app must flag it rather than guess.
    const mangled = "001090123456|012345678|Nguyeenx Vawn Thuwr|15031990|Nam|Soos 5, Phuwowngf Thuwr|01062021";
    type(mangled, 4);
    enter();
    expect(scans).toEqual([mangled]);
  });

  it("without a terminator, a burst that looks like a payload is taken after a short idle", () => {
    type(PAYLOAD, 6);
    expect(scans).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(scans).toEqual([PAYLOAD]);
  });
});
