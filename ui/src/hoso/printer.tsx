// The receipt printer of this counter: picked from the CUPS queues, remembered on this
// workstation, used for every receipt printed here (new hồ sơ, reprint from the list).
import { useEffect, useState } from "preact/hooks";
import type { PrinterView, UiError } from "../bindings";
import { call, commands } from "../ipc";
import { ErrorBanner, Kbd } from "../widgets";

const KEY = "motcua.receiptPrinter";

/** The printer chosen on this workstation, or null for the system default. */
export function savedPrinter(): string | null {
  try {
    return localStorage.getItem(KEY) || null;
  } catch {
    return null;
  }
}

function remember(name: string | null) {
  try {
    if (name) localStorage.setItem(KEY, name);
    else localStorage.removeItem(KEY);
  } catch {
    // Storage unavailable: the choice lasts for this screen only.
  }
}

/** Printer list + "In lại" (Ctrl+P) for a saved hồ sơ's receipt. */
export function PrintAgain({ ma, failed }: { ma: string; failed: boolean }) {
  const [printers, setPrinters] = useState<PrinterView[] | null>(null);
  const [listError, setListError] = useState<UiError | null>(null);
  const [chosen, setChosen] = useState<string>(savedPrinter() ?? "");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: string | null; error: UiError | null } | null>(null);

  useEffect(() => {
    void call(commands.hosoPrinters()).then((r) => {
      if (r.error) setListError(r.error);
      else setPrinters(r.ok);
    });
  }, []);

  const print = async () => {
    if (busy) return;
    setBusy(true);
    const r = await call(commands.hosoReceipt({ ma_ho_so: ma, print: true, printer: chosen || null, paper: null }));
    setBusy(false);
    if (r.error) setResult({ ok: null, error: r.error });
    else if (r.ok.printed) setResult({ ok: `Đã gửi tới máy in${chosen ? ` “${chosen}”` : ""}.`, error: null });
    else setResult({ ok: null, error: r.ok.print_error });
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey && (e.key === "p" || e.key === "P")) {
        e.preventDefault();
        void print();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const hasDefault = printers?.some((p) => p.is_default) ?? false;
  return (
    <div class={`print-again${failed ? " attention" : ""}`} data-testid="print-again">
      <div class="field">
        <label for="receipt-printer">Máy in giấy tiếp nhận</label>
        <select
          id="receipt-printer"
          value={chosen}
          disabled={!printers}
          onChange={(e) => {
            const v = (e.currentTarget as HTMLSelectElement).value;
            setChosen(v);
            remember(v || null);
          }}
        >
          <option value="">{hasDefault ? "Máy in mặc định của máy tính" : "— Chọn máy in —"}</option>
          {printers?.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
              {p.is_default ? " (mặc định)" : ""}
              {p.status ? ` — ${p.status}` : ""}
            </option>
          ))}
          {chosen && printers && !printers.some((p) => p.name === chosen) && (
            <option value={chosen}>{chosen} (không còn trong danh sách)</option>
          )}
        </select>
      </div>
      <button class="secondary" type="button" disabled={busy} onClick={() => void print()} data-testid="print-again-go">
        In lại <Kbd>Ctrl+P</Kbd>
      </button>
      {printers && printers.length === 0 && (
        <p class="muted" data-testid="no-printers">
          Máy tính chưa có máy in nào (CUPS). Giấy tiếp nhận đã lưu thành PDF; hãy báo quản trị viên thêm máy in.
        </p>
      )}
      <ErrorBanner error={listError} />
      {result?.ok && (
        <p class="ok-text" data-testid="print-again-ok">
          {result.ok}
        </p>
      )}
      {result?.error && <ErrorBanner error={result.error} />}
    </div>
  );
}
