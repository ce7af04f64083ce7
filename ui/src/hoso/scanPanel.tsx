// Số hóa thành phần hồ sơ: the scan panel of the intake screen (F7) and of the list (F5, "Số hóa").
// One durable draft session per procedure (a crashed draft comes back by itself); every command
// answers with the whole session, so the panel just shows the last answer. Keyboard-first:
// F8 scans into the chosen component, the thumbnail grid takes arrows, Alt+arrows, R, digits, Delete.
import { useEffect, useRef, useState } from "preact/hooks";
import type {
  ScanComponentView,
  ScanOp,
  ScanPageView,
  ScanProgressView,
  ScanSessionView,
  ScanSourceView,
  UiError,
} from "../bindings";
import { call, commands, on } from "../ipc";
import { Kbd } from "../widgets";
import { DocCamera } from "./scanCamera";
import "./scan.css";

/** What the clerk should do, per error code the scan commands use. */
export const SCAN_ERROR_VI: Record<string, string> = {
  scan_jammed: "Kẹt giấy trong máy quét. Mở nắp, gỡ tờ giấy bị kẹt rồi nhấn Quét (F8) lại.",
  scan_no_device: "Không tìm thấy máy quét. Kiểm tra cáp USB và nguồn điện, rồi chọn lại nguồn quét.",
  scan_cover_open: "Nắp máy quét đang mở. Đóng nắp rồi quét lại.",
  scan_no_paper: "Khay nạp giấy trống. Đặt giấy vào khay rồi nhấn Quét (F8).",
  digitize_dpi_too_low: "Độ phân giải quá thấp (dưới 200 dpi). Chỉnh máy quét lên 300 dpi rồi quét lại.",
  digitize_disk_full: "Ổ đĩa đã đầy, không lưu được trang quét. Báo bộ phận kỹ thuật.",
  digitize_bad_image: "Không đọc được tệp ảnh (hỏng hoặc sai định dạng). Chọn tệp khác hoặc quét lại.",
};

export function scanError(e: UiError): UiError {
  return { code: e.code, message: SCAN_ERROR_VI[e.code] ?? e.message };
}

export const STATE_VI: Record<string, string> = {
  empty: "Chưa có trang",
  pending: "Chờ lưu",
  processed: "Đã tạo PDF",
  signed: "Đã ký số",
  delivered: "Đã chuyển",
  failed: "Lỗi",
  reused: "Dùng lại",
};

/** `YYYY-MM-DD` → `dd/mm/yyyy`. */
export function dmyDate(s: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s ?? "");
  return m ? `${m[3]}/${m[2]}/${m[1]}` : s ?? "";
}

/** Must-digitize components with neither pages nor a reused document. */
export function missingDigitized(v: ScanSessionView | null): ScanComponentView[] {
  return v ? v.components.filter((c) => c.must_digitize && !c.done) : [];
}

function ScanErrorBanner({ error }: { error: UiError | null }) {
  if (!error) return null;
  return (
    <div class="banner bad" role="alert" data-code={error.code} data-testid="scan-error">
      {error.message}
    </div>
  );
}

/** Each component's line: green when done, states after commit, reused documents. */
export function ScanChecklist({
  view,
  target,
  onTarget,
  onUnreuse,
}: {
  view: ScanSessionView;
  target?: number | null;
  onTarget?: (position: number) => void;
  onUnreuse?: (position: number) => void;
}) {
  return (
    <ol class="scan-checklist" data-testid="scan-checklist">
      {view.components.map((c, i) => {
        const reused = c.reused_from ? view.reusable.find((r) => r.document_id === c.reused_from) : undefined;
        const cls = [
          "scan-comp",
          `comp-c${i % 8}`,
          c.done ? "done" : "",
          c.must_digitize && !c.done ? "missing" : "",
          c.state === "failed" ? "failed" : "",
          target === c.position ? "target" : "",
        ].join(" ");
        return (
          <li
            key={c.position}
            class={cls}
            data-testid="scan-comp"
            data-done={String(c.done)}
            data-state={c.state}
            onClick={() => onTarget?.(c.position)}
          >
            <span class="scan-key">{i < 9 ? i + 1 : ""}</span>
            <span class="scan-comp-name">
              {c.done ? "✓ " : ""}
              {c.name}
              {c.must_digitize && <span class={c.done ? "tag ok" : "tag warn"}>Bắt buộc số hóa</span>}
            </span>
            <span class="scan-comp-state">
              {c.reused_from ? (
                <>
                  Dùng lại bản số hóa{reused ? ` ngày ${dmyDate(reused.received_at)}` : ""}
                  {onUnreuse && (
                    <button
                      class="ghost small"
                      onClick={(e) => {
                        e.stopPropagation();
                        onUnreuse(c.position);
                      }}
                    >
                      Bỏ dùng lại
                    </button>
                  )}
                </>
              ) : c.pages > 0 ? (
                `${c.pages} trang · ${STATE_VI[c.state] ?? c.state}`
              ) : (
                STATE_VI[c.state] ?? c.state
              )}
              {c.error_vi && (
                <span class="scan-comp-error" role="alert">
                  {" "}
                  — {c.error_vi}
                </span>
              )}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

type Props = {
  procedureCode: string;
  /** Set on the list screen: the hồ sơ exists, the panel shows its own commit button. */
  maHoSo: string | null;
  /** Every new session view (the intake form colours its checklist and commits after saving). */
  onView?: (v: ScanSessionView | null) => void;
};

const SOURCE_KEY = "motcua.scan.source";

export function ScanPanel({ procedureCode, maHoSo, onView }: Props) {
  const [view, setView] = useState<ScanSessionView | null>(null);
  const [sources, setSources] = useState<ScanSourceView[]>([]);
  const [sourceId, setSourceId] = useState<string>(() => localStorage.getItem(SOURCE_KEY) ?? "");
  const [adf, setAdf] = useState(true);
  const [duplex, setDuplex] = useState(false);
  const [paths, setPaths] = useState("");
  const [target, setTarget] = useState<number | null>(null);
  const [sel, setSel] = useState<string[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [anchor, setAnchor] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<string | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [toast, setToast] = useState<string | null>(null);
  const [resumed, setResumed] = useState(0);
  const [discardArmed, setDiscardArmed] = useState(false);
  const [committed, setCommitted] = useState(false);
  const sessionId = useRef<string | null>(null);
  const capture = useRef<(() => Promise<string>) | null>(null);
  const grid = useRef<HTMLDivElement>(null);
  const panel = useRef<HTMLElement>(null);
  const dragged = useRef<string | null>(null);

  const show = (v: ScanSessionView) => {
    sessionId.current = v.session_id;
    setView(v);
    onView?.(v);
    const ids = new Set(v.pages.map((p) => p.page_id));
    setSel((s) => s.filter((id) => ids.has(id)));
    setCursor((c) => (c && ids.has(c) ? c : null));
  };

  const open = async () => {
    const r = await call(commands.scanOpen({ procedure_code: procedureCode, ma_ho_so: maHoSo }));
    if (r.error) return setError(scanError(r.error));
    setError(null);
    show(r.ok);
    setResumed(r.ok.pages.length);
    const first = r.ok.components.find((c) => c.must_digitize && !c.done) ?? r.ok.components.find((c) => !c.done);
    setTarget(first?.position ?? r.ok.components[0]?.position ?? null);
  };

  useEffect(() => {
    void open();
    void call(commands.scanSources()).then((r) => {
      if (!r.ok) return;
      setSources(r.ok);
      setSourceId((id) => (r.ok.some((s) => s.id === id) ? id : (r.ok[0]?.id ?? "")));
    });
    const sub = on("scan_progress", (p: ScanProgressView) => {
      if (p.session_id !== sessionId.current) return;
      setProgress(p.done ? null : p.message_vi || `Đang quét trang ${p.page}…`);
    });
    sub.catch(() => undefined);
    return () => {
      // The unlisten function is async underneath: its failure (window closing) is of no interest.
      sub
        .then((un) => Promise.resolve(un() as unknown))
        .catch(() => undefined);
    };
  }, [procedureCode, maHoSo]);

  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), 4000);
    return () => clearTimeout(t);
  }, [toast]);

  const source = sources.find((s) => s.id === sourceId) ?? null;
  const pages = view?.pages ?? [];
  const comps = view?.components ?? [];
  const compIndex = (pos: number | null) => (pos === null ? -1 : comps.findIndex((c) => c.position === pos));
  const idxOf = (id: string | null) => (id ? pages.findIndex((p) => p.page_id === id) : -1);

  /** Runs one command that answers with the session; errors keep the pages already shown. */
  const run = async (p: Promise<ScanSessionView>, refreshOnError = false): Promise<ScanSessionView | null> => {
    const r = await call(p);
    if (r.error) {
      setError(scanError(r.error));
      // A jam or an empty feeder keeps the pages scanned before it in the session: fetch them
      // (scan_open resumes the same draft).
      if (refreshOnError) {
        const again = await call(commands.scanOpen({ procedure_code: procedureCode, ma_ho_so: maHoSo }));
        if (again.ok && again.ok.session_id === sessionId.current) show(again.ok);
      }
      return null;
    }
    setError(null);
    show(r.ok);
    return r.ok;
  };

  const acquire = async (replace: ScanPageView | null) => {
    const sid = sessionId.current;
    if (!sid || busy || !source) return;
    const component = replace ? replace.component : target;
    const before = new Set(pages.map((p) => p.page_id));
    // The result goes to the cursor: the last new page (or the replacement).
    const land = (v: ScanSessionView | null) => {
      const fresh = v?.pages.filter((p) => !before.has(p.page_id)) ?? [];
      const last = fresh[fresh.length - 1];
      if (!last) return v;
      setSel([last.page_id]);
      setCursor(last.page_id);
      setAnchor(last.page_id);
      return v;
    };
    panel.current?.scrollIntoView?.({ block: "nearest" });
    setBusy(true);
    setProgress(source.kind === "camera" ? "Đang chụp…" : "Đang quét…");
    setError(null);
    try {
      if (source.kind === "file") {
        const list = paths
          .split(/[\n;]/)
          .map((s) => s.trim())
          .filter(Boolean);
        if (list.length === 0) {
          setError({ code: "invalid_input", message: "Nhập đường dẫn tệp cần nhập (mỗi dòng một tệp)." });
          return;
        }
        if (land(await run(commands.scanImport({ session_id: sid, paths: list, component }), true))) setPaths("");
      } else if (source.kind === "camera") {
        if (!capture.current) {
          setError({ code: "camera", message: "Máy ảnh chưa sẵn sàng. Chờ hình hiện lên rồi chụp lại." });
          return;
        }
        let jpeg: string;
        try {
          jpeg = await capture.current();
        } catch {
          setError({ code: "camera", message: "Không chụp được ảnh từ máy ảnh. Thử lại." });
          return;
        }
        land(await run(
          commands.scanCamera({
            session_id: sid,
            component,
            jpeg_base64: jpeg,
            replace_page: replace?.page_id ?? null,
          }),
          true,
        ));
      } else {
        land(await run(
          commands.scanAcquire({
            session_id: sid,
            source_id: source.id,
            component,
            adf: source.adf && adf && !replace,
            duplex: source.duplex && duplex && !replace,
            replace_page: replace?.page_id ?? null,
          }),
          true,
        ));
      }
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };

  const edit = (op: ScanOp) => (sessionId.current ? run(commands.scanEdit({ session_id: sessionId.current, op })) : null);

  const selected = (): ScanPageView[] => {
    const ids = sel.length ? sel : cursor ? [cursor] : [];
    return pages.filter((p) => ids.includes(p.page_id));
  };

  const rotate = async (turns: number) => {
    for (const p of selected()) if (!(await edit({ op: "rotate", page_id: p.page_id, quarter_turns: turns }))) break;
  };

  const remove = async () => {
    const doomed = selected();
    if (doomed.length === 0) return;
    const first = idxOf(doomed[0].page_id);
    const numbers = doomed.map((p) => idxOf(p.page_id) + 1);
    let last: ScanSessionView | null = null;
    for (const p of doomed) {
      const v = await edit({ op: "delete", page_id: p.page_id });
      if (!v) return;
      last = v;
    }
    setToast(numbers.length === 1 ? `Đã xóa trang ${numbers[0]}` : `Đã xóa ${numbers.length} trang (${numbers.join(", ")})`);
    const next = last?.pages[Math.min(first, (last?.pages.length ?? 1) - 1)];
    setSel(next ? [next.page_id] : []);
    setCursor(next?.page_id ?? null);
    setAnchor(next?.page_id ?? null);
  };

  const move = async (id: string, to: number) => {
    if (to < 0 || to >= pages.length || to === idxOf(id)) return;
    await edit({ op: "move", page_id: id, to_index: to });
  };

  const assign = async (n: number) => {
    const ids = selected().map((p) => p.page_id);
    if (ids.length === 0) return;
    const component = n === 0 ? null : comps[n - 1]?.position;
    if (component === undefined) return;
    await edit({ op: "assign", page_ids: ids, component });
  };

  const split = async () => {
    if (!cursor || target === null) return;
    await edit({ op: "split_from", page_id: cursor, component: target });
  };

  const reuse = async (component: number, documentId: string | null) => {
    if (!sessionId.current) return;
    await run(commands.scanReuse({ session_id: sessionId.current, component, document_id: documentId }));
  };

  const commit = async () => {
    if (!sessionId.current || !maHoSo || busy) return;
    setBusy(true);
    setProgress("Đang tạo PDF và ký số…");
    const v = await run(commands.scanCommit({ session_id: sessionId.current, ma_ho_so: maHoSo }));
    setBusy(false);
    setProgress(null);
    if (v) setCommitted(true);
  };

  const discard = async () => {
    if (!sessionId.current) return;
    if (!discardArmed) return setDiscardArmed(true);
    setDiscardArmed(false);
    const r = await call(commands.scanDiscard({ session_id: sessionId.current }));
    if (r.error) return setError(scanError(r.error));
    setSel([]);
    setCursor(null);
    await open();
    setResumed(0);
  };

  const focusPage = (id: string, mode: "only" | "toggle" | "range") => {
    if (mode === "toggle") {
      setSel((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
      setAnchor(id);
    } else if (mode === "range") {
      const a = idxOf(anchor ?? cursor ?? id);
      const b = idxOf(id);
      const [lo, hi] = a < b ? [a, b] : [b, a];
      setSel(pages.slice(lo, hi + 1).map((p) => p.page_id));
    } else {
      setSel([id]);
      setAnchor(id);
    }
    setCursor(id);
  };

  useEffect(() => {
    if (!cursor) return;
    const el = grid.current?.querySelector(`[data-page="${cursor}"]`) as HTMLElement | null;
    el?.scrollIntoView?.({ block: "nearest", inline: "nearest" });
  }, [cursor]);

  // F8 scans from anywhere on the screen; Shift+F8 rescans the page under the cursor.
  const keys = useRef({ acquire, cursorPage: null as ScanPageView | null });
  keys.current = { acquire, cursorPage: pages[idxOf(cursor)] ?? null };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "F8") return;
      e.preventDefault();
      const k = keys.current;
      if (e.shiftKey) {
        if (k.cursorPage) void k.acquire(k.cursorPage);
      } else void k.acquire(null);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const onGridKey = (e: KeyboardEvent) => {
    if (pages.length === 0) return;
    const i = idxOf(cursor);
    const at = (j: number) => pages[Math.max(0, Math.min(pages.length - 1, j))].page_id;
    const step = e.key === "ArrowRight" || e.key === "ArrowDown" ? 1 : e.key === "ArrowLeft" || e.key === "ArrowUp" ? -1 : 0;
    if (step !== 0 && e.altKey) {
      if (cursor) void move(cursor, i + step);
    } else if (step !== 0) {
      focusPage(at(i < 0 ? 0 : i + step), e.shiftKey ? "range" : "only");
    } else if (e.key === "Home") focusPage(at(0), e.shiftKey ? "range" : "only");
    else if (e.key === "End") focusPage(at(pages.length - 1), e.shiftKey ? "range" : "only");
    else if (e.key === "r" || e.key === "R") void rotate(e.shiftKey ? -1 : 1);
    else if (e.key === "Delete") void remove();
    else if (/^[0-9]$/.test(e.key) && !e.ctrlKey && !e.altKey) void assign(Number(e.key));
    else if (e.key === "t" || e.key === "T") void split();
    else if (e.key === "Escape" && sel.length > 1) setSel(cursor ? [cursor] : []);
    else if (e.key === "a" && e.ctrlKey) setSel(pages.map((p) => p.page_id));
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  const cursorPage = pages[idxOf(cursor)] ?? null;
  const targetIdx = compIndex(target);

  return (
    <section ref={panel} class="scan-panel panel" data-testid="scan-panel" aria-label="Số hóa thành phần hồ sơ">
      <h3>
        Số hóa thành phần hồ sơ
        {maHoSo && <span class="mono muted"> · {maHoSo}</span>}
      </h3>
      {resumed > 0 && (
        <p class="hint" data-testid="scan-resumed">
          Đã khôi phục {resumed} trang quét dở từ lần trước.
        </p>
      )}
      <div class="scan-controls">
        <div class="field">
          <label for="scan-source">Nguồn</label>
          <select
            id="scan-source"
            data-testid="scan-source"
            value={sourceId}
            onChange={(e) => {
              const id = (e.currentTarget as HTMLSelectElement).value;
              localStorage.setItem(SOURCE_KEY, id);
              setSourceId(id);
            }}
          >
            {sources.length === 0 && <option value="">Không có nguồn quét</option>}
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.kind === "file" ? "Tệp…" : s.kind === "camera" ? "Máy ảnh" : s.label}
              </option>
            ))}
          </select>
        </div>
        {source?.kind === "sane" && (
          <div class="scan-opts">
            {source.adf && (
              <label class="check">
                <input type="checkbox" checked={adf} onChange={(e) => setAdf((e.currentTarget as HTMLInputElement).checked)} />{" "}
                Khay nạp giấy (ADF)
              </label>
            )}
            {source.duplex && (
              <label class="check">
                <input
                  type="checkbox"
                  checked={duplex}
                  onChange={(e) => setDuplex((e.currentTarget as HTMLInputElement).checked)}
                />{" "}
                Quét hai mặt
              </label>
            )}
          </div>
        )}
        <div class="field">
          <label for="scan-target">Quét vào thành phần</label>
          <select
            id="scan-target"
            data-testid="scan-target"
            value={target === null ? "" : String(target)}
            onChange={(e) => {
              const v = (e.currentTarget as HTMLSelectElement).value;
              setTarget(v === "" ? null : Number(v));
            }}
          >
            <option value="">— Chưa gán —</option>
            {comps.map((c, i) => (
              <option key={c.position} value={String(c.position)}>
                {i + 1}. {c.name}
              </option>
            ))}
          </select>
        </div>
        <button
          class="primary"
          data-testid="scan-go"
          disabled={busy || !view || !source}
          onClick={() => void acquire(null)}
        >
          {source?.kind === "camera" ? "Chụp" : source?.kind === "file" ? "Nhập tệp" : "Quét"} <Kbd>F8</Kbd>
        </button>
        <button
          class="secondary"
          data-testid="scan-rescan"
          disabled={busy || !cursorPage || source?.kind === "file"}
          onClick={() => cursorPage && void acquire(cursorPage)}
        >
          Quét lại trang {cursorPage ? idxOf(cursorPage.page_id) + 1 : ""} <Kbd>Shift+F8</Kbd>
        </button>
      </div>
      {source?.kind === "file" && (
        <div class="field">
          <label for="scan-paths">Đường dẫn tệp (mỗi dòng một tệp: JPEG, PNG, TIFF, PDF)</label>
          <textarea
            id="scan-paths"
            data-testid="scan-paths"
            rows={2}
            value={paths}
            onInput={(e) => setPaths((e.currentTarget as HTMLTextAreaElement).value)}
          />
        </div>
      )}
      {source?.kind === "camera" && <DocCamera capture={capture} onError={(e) => setError(e)} />}
      {progress && (
        <div class="scan-progress" role="status" data-testid="scan-progress">
          {progress}
        </div>
      )}
      <ScanErrorBanner error={error} />
      {toast && (
        <div class="scan-toast" role="status" data-testid="scan-toast">
          {toast}
        </div>
      )}
      {view && (
        <div class="scan-body">
          <div class="scan-pages">
            <div
              ref={grid}
              class="scan-grid"
              tabIndex={0}
              role="listbox"
              aria-multiselectable="true"
              aria-label="Các trang đã quét"
              aria-activedescendant={cursor ? `scan-page-${cursor}` : undefined}
              data-testid="scan-grid"
              onKeyDown={onGridKey}
              onFocus={() => {
                if (!cursor && pages[0]) focusPage(pages[0].page_id, "only");
              }}
            >
              {pages.length === 0 && (
                <p class="muted scan-empty">
                  Chưa có trang nào. Đặt giấy vào máy quét và nhấn <Kbd>F8</Kbd>.
                </p>
              )}
              {pages.map((p, i) => {
                const ci = compIndex(p.component);
                const c = ci >= 0 ? comps[ci] : null;
                const cls = [
                  "scan-thumb",
                  ci >= 0 ? `comp-c${ci % 8}` : "comp-none",
                  sel.includes(p.page_id) ? "sel" : "",
                  cursor === p.page_id ? "cursor" : "",
                  p.blank || p.warning ? "flag" : "",
                ].join(" ");
                return (
                  <div
                    key={p.page_id}
                    id={`scan-page-${p.page_id}`}
                    class={cls}
                    role="option"
                    aria-selected={sel.includes(p.page_id)}
                    data-testid="scan-thumb"
                    data-page={p.page_id}
                    draggable
                    onClick={(e) => {
                      focusPage(p.page_id, e.shiftKey ? "range" : e.ctrlKey || e.metaKey ? "toggle" : "only");
                      grid.current?.focus();
                    }}
                    onDragStart={(e) => {
                      dragged.current = p.page_id;
                      e.dataTransfer?.setData("text/plain", p.page_id);
                    }}
                    onDragOver={(e) => e.preventDefault()}
                    onDrop={(e) => {
                      e.preventDefault();
                      const id = dragged.current ?? e.dataTransfer?.getData("text/plain");
                      dragged.current = null;
                      if (id) void move(id, i);
                    }}
                  >
                    <img src={p.thumb} alt={`Trang ${i + 1}`} draggable={false} />
                    <div class="scan-thumb-meta">
                      <span class="scan-pno" data-testid="scan-pno">
                        {i + 1}
                      </span>
                      <span class="scan-badge" title={c?.name ?? "Chưa gán thành phần"}>
                        {c ? `${ci + 1} · ${c.name}` : "Chưa gán"}
                      </span>
                    </div>
                    {p.blank && <span class="tag warn scan-flag">Trang trắng?</span>}
                    {p.warning && (
                      <div class="scan-warning" title={p.warning}>
                        ⚠ {p.warning}
                      </div>
                    )}
                  </div>
                );
              })}
            </div>
            <div class="hint scan-keys" data-testid="scan-keys">
              <Kbd>←</Kbd>
              <Kbd>→</Kbd> chọn trang (<Kbd>Shift</Kbd> chọn nhiều) · <Kbd>Alt+←</Kbd>
              <Kbd>Alt+→</Kbd> đổi thứ tự (hoặc kéo thả) · <Kbd>R</Kbd>/<Kbd>Shift+R</Kbd> xoay · <Kbd>1</Kbd>–
              <Kbd>9</Kbd> gán vào thành phần, <Kbd>0</Kbd> bỏ gán · <Kbd>T</Kbd> tách từ trang này ·{" "}
              <Kbd>Delete</Kbd> xóa trang
            </div>
            <p class="hint" data-testid="scan-rules">
              Quét đủ và đúng thứ tự mọi trang của bản gốc, kể cả trang trắng. Trang có giấy ghi chú dán
              kèm: quét hai lần, có và không có giấy ghi chú (Thông tư 01/2023/TT-VPCP, Điều 8).
            </p>
            <div class="row">
              <button class="ghost" disabled={!cursorPage || targetIdx < 0} onClick={() => void split()}>
                Tách từ trang này{targetIdx >= 0 ? ` → ${targetIdx + 1}. ${comps[targetIdx].name}` : ""} <Kbd>T</Kbd>
              </button>
              <button class="ghost" disabled={selected().length === 0} onClick={() => void rotate(1)}>
                Xoay phải <Kbd>R</Kbd>
              </button>
              <button class="ghost" disabled={selected().length === 0} onClick={() => void remove()}>
                Xóa trang <Kbd>Delete</Kbd>
              </button>
              {pages.length > 0 && !committed && (
                <button class="ghost" data-testid="scan-discard" onClick={() => void discard()}>
                  {discardArmed ? `Nhấn lần nữa để bỏ cả ${pages.length} trang` : "Bỏ bản nháp"}
                </button>
              )}
            </div>
          </div>
          <div class="scan-side">
            <ScanChecklist
              view={view}
              target={target}
              onTarget={setTarget}
              onUnreuse={(pos) => void reuse(pos, null)}
            />
            {view.reusable.length > 0 && (
              <ReuseList view={view} target={target} onReuse={(pos, id) => void reuse(pos, id)} />
            )}
            {maHoSo && (
              <button class="primary big" data-testid="scan-commit" disabled={busy} onClick={() => void commit()}>
                {committed ? "Lưu lại bản số hóa" : "Lưu bản số hóa vào hồ sơ"}
              </button>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

function ReuseList({
  view,
  target,
  onReuse,
}: {
  view: ScanSessionView;
  target: number | null;
  onReuse: (position: number, documentId: string) => void;
}) {
  const guess = (name: string) =>
    view.components.find((c) => c.name === name)?.position ?? target ?? view.components[0]?.position ?? 0;
  const [into, setInto] = useState<Record<string, number>>({});
  return (
    <details class="scan-reuse" open data-testid="scan-reuse">
      <summary>Dùng lại giấy tờ đã số hóa ({view.reusable.length})</summary>
      <ul>
        {view.reusable.map((r) => {
          const pos = into[r.document_id] ?? guess(r.component_name);
          return (
            <li key={r.document_id} data-testid="scan-reuse-item">
              <div>
                <strong>{r.component_name}</strong> · {r.pages} trang · ngày {dmyDate(r.received_at)}
                {r.valid_until && <> · còn hạn đến {dmyDate(r.valid_until)}</>}
                <div class="muted mono">{r.ma_ho_so}</div>
              </div>
              <div class="row">
                <select
                  aria-label={`Dùng cho thành phần: ${r.component_name}`}
                  value={String(pos)}
                  onChange={(e) =>
                    setInto((m) => ({ ...m, [r.document_id]: Number((e.currentTarget as HTMLSelectElement).value) }))
                  }
                >
                  {view.components.map((c, i) => (
                    <option key={c.position} value={String(c.position)}>
                      {i + 1}. {c.name}
                    </option>
                  ))}
                </select>
                <button class="secondary" onClick={() => onReuse(pos, r.document_id)}>
                  Dùng lại
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </details>
  );
}
