// Keyboard-wedge QR scanners type the payload as a burst of keystrokes ending in Enter (or Tab),
// far faster than anyone types. A document-level capture-phase listener recognises the burst
// wherever the focus is, takes back the characters it typed into a text field, and hands the
// payload over. Normal typing (slower, or short) passes untouched.

export type WedgeOptions = {
  /** Longest pause between two keystrokes of one burst, ms. */
  maxGapMs: number;
  /** Shortest payload accepted as a scan (ID-card QR payloads are 60+ characters). */
  minLength: number;
  /** With no terminator: a burst containing '|' is taken after this idle time, ms. */
  idleFlushMs: number;
  now: () => number;
};

export const DEFAULT_WEDGE: WedgeOptions = {
  maxGapMs: 40,
  minLength: 20,
  idleFlushMs: 120,
  now: () => Date.now(),
};

type Snapshot = { el: HTMLInputElement | HTMLTextAreaElement; value: string; start: number | null; end: number | null };

function editable(t: EventTarget | null): HTMLInputElement | HTMLTextAreaElement | null {
  if (t instanceof HTMLTextAreaElement) return t;
  if (t instanceof HTMLInputElement && /^(text|search|tel|url|email|password|number|)$/.test(t.type)) return t;
  return null;
}

/** Puts a text field back as it was before the burst, telling Preact through an input event. */
function restore(s: Snapshot) {
  if (s.el.value === s.value) return;
  s.el.value = s.value;
  try {
    if (s.start !== null && s.end !== null) s.el.setSelectionRange(s.start, s.end);
  } catch {
    // Some input types have no selection.
  }
  s.el.dispatchEvent(new Event("input", { bubbles: true }));
}

export class WedgeDetector {
  private chars: string[] = [];
  private last = -Infinity;
  private snapshot: Snapshot | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private opts: WedgeOptions;

  constructor(private onScan: (payload: string) => void, opts: Partial<WedgeOptions> = {}) {
    this.opts = { ...DEFAULT_WEDGE, ...opts };
  }

  private reset() {
    this.chars = [];
    this.snapshot = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private isBurst(): boolean {
    if (this.chars.length < this.opts.minLength) return false;
    // Key repeat (one key held down) is fast too, but types one character.
    return new Set(this.chars).size > 3;
  }

  private take(): string {
    const payload = this.chars.join("");
    if (this.snapshot) restore(this.snapshot);
    this.reset();
    return payload;
  }

  /** Feed every keydown (capture phase). Returns true when the event ended a scan. */
  keydown(e: KeyboardEvent): boolean {
    if (e.ctrlKey || e.altKey || e.metaKey) {
      this.reset();
      return false;
    }
    const key = e.key;
    // Modifiers (scanners press Shift for capitals) and IME processing keys are not characters.
    if (key === "Shift" || key === "CapsLock" || key === "Process" || key === "Unidentified" || key === "Dead") return false;
    const t = this.opts.now();
    const gap = t - this.last;
    this.last = t;
    if (key === "Enter" || key === "Tab") {
      if (gap <= this.opts.maxGapMs && this.isBurst()) {
        e.preventDefault();
        e.stopPropagation();
        this.onScan(this.take());
        return true;
      }
      this.reset();
      return false;
    }
    if ([...key].length !== 1) {
      // Arrows, F-keys, Backspace...: a person is at the keyboard.
      this.reset();
      return false;
    }
    if (gap > this.opts.maxGapMs) {
      this.reset();
      const el = editable(e.target);
      this.snapshot = el ? { el, value: el.value, start: el.selectionStart, end: el.selectionEnd } : null;
    }
    this.chars.push(key);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.isBurst() && this.chars.includes("|")) this.onScan(this.take());
    }, this.opts.idleFlushMs);
    return false;
  }
}

/** Listens on the whole document (capture phase). Returns the function that stops it. */
export function installWedge(onScan: (payload: string) => void, opts: Partial<WedgeOptions> = {}): () => void {
  const d = new WedgeDetector(onScan, opts);
  const f = (e: KeyboardEvent) => void d.keydown(e);
  document.addEventListener("keydown", f, true);
  return () => document.removeEventListener("keydown", f, true);
}
