// Hồ sơ (F5): search by mã hồ sơ, số định danh or name (no diacritics needed), filter by status,
// move a hồ sơ along its status graph, print its receipt again, digitize its components ("Số hóa").
import { useEffect, useState } from "preact/hooks";
import type { HoSoSummary, UiError } from "../bindings";
import { call, commands } from "../ipc";
import { ErrorBanner, Kbd } from "../widgets";
import "../hoso/hoso.css";
import { localTime } from "../hoso/form";
import { savedPrinter } from "../hoso/printer";
import { QueueStatus } from "../hoso/queueStatus";
import { ScanPanel } from "../hoso/scanPanel";

const STATUSES: [string, string][] = [
  ["", "Tất cả"],
  ["received", "Đã tiếp nhận"],
  ["needs_supplement", "Chờ bổ sung, hoàn thiện"],
  ["in_progress", "Đang giải quyết"],
  ["result_ready", "Đã có kết quả"],
  ["returned", "Đã trả kết quả"],
  ["rejected", "Từ chối"],
  ["cancelled", "Đã hủy / rút hồ sơ"],
];

export function HoSoListScreen() {
  const [text, setText] = useState("");
  const [status, setStatus] = useState("");
  const [items, setItems] = useState<HoSoSummary[]>([]);
  const [error, setError] = useState<UiError | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [scanning, setScanning] = useState<string | null>(null);

  const search = async () => {
    const r = await call(commands.hosoList({ text: text.trim() || null, status: status || null, from: null, to: null }));
    if (r.error) setError(r.error);
    else {
      setError(null);
      setItems(r.ok);
    }
  };
  useEffect(() => void search(), [status]);

  const replace = (h: HoSoSummary) => setItems((xs) => xs.map((x) => (x.ma_ho_so === h.ma_ho_so ? h : x)));

  const reprint = async (ma: string) => {
    const r = await call(commands.hosoReceipt({ ma_ho_so: ma, print: true, printer: savedPrinter(), paper: null }));
    if (r.error) return setError(r.error);
    setError(r.ok.print_error);
    setInfo(r.ok.printed ? `Đã gửi giấy tiếp nhận ${ma} tới máy in.` : `Đã lưu ${r.ok.pdf_path}.`);
  };

  return (
    <div class="hoso-list">
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <div class="field grow">
          <label for="hs-q">Mã hồ sơ, số định danh hoặc họ tên</label>
          <input id="hs-q" autoFocus value={text} onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} data-testid="hoso-q" />
        </div>
        <div class="field">
          <label for="hs-status">Trạng thái</label>
          <select id="hs-status" value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value)}>
            {STATUSES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <button class="primary" type="submit">
          Tìm <Kbd>Enter</Kbd>
        </button>
      </form>
      <QueueStatus />
      <ErrorBanner error={error} />
      {info && <p class="ok-text" role="status">{info}</p>}
      {items.length === 0 ? (
        <p class="muted" data-testid="hoso-empty">Không có hồ sơ phù hợp.</p>
      ) : (
        <table class="table" data-testid="hoso-table">
          <thead>
            <tr>
              <th>Mã hồ sơ</th>
              <th>Thủ tục</th>
              <th>Người nộp</th>
              <th>Tiếp nhận</th>
              <th>Hẹn trả</th>
              <th>Trạng thái</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((h) => (
              <>
                <tr key={h.ma_ho_so} data-testid="hoso-row">
                  <td class="mono">{h.ma_ho_so}</td>
                  <td>{h.procedure_name}</td>
                  <td>
                    {h.applicant_name}
                    {h.identity_verified && <span class="tag ok">Chip</span>}
                  </td>
                  <td>{localTime(h.received_at)}</td>
                  <td>
                    {localTime(h.due_at)}
                    {h.paused && <span class="tag warn">Tạm dừng</span>}
                  </td>
                  <td>{h.status_label_vi}</td>
                  <td>
                    {h.next_statuses.length > 0 && (
                      <button class="secondary" onClick={() => setOpen(open === h.ma_ho_so ? null : h.ma_ho_so)}>
                        Chuyển trạng thái
                      </button>
                    )}{" "}
                    <button class="ghost" onClick={() => void reprint(h.ma_ho_so)}>
                      In lại giấy tiếp nhận
                    </button>{" "}
                    <button
                      class={scanning === h.ma_ho_so ? "secondary" : "ghost"}
                      data-testid="hoso-scan"
                      aria-expanded={scanning === h.ma_ho_so}
                      onClick={() => setScanning(scanning === h.ma_ho_so ? null : h.ma_ho_so)}
                    >
                      Số hóa
                    </button>
                  </td>
                </tr>
                {scanning === h.ma_ho_so && (
                  <tr key={`${h.ma_ho_so}-scan`}>
                    <td colSpan={7}>
                      <ScanPanel procedureCode={h.procedure_code} maHoSo={h.ma_ho_so} />
                    </td>
                  </tr>
                )}
                {open === h.ma_ho_so && (
                  <tr key={`${h.ma_ho_so}-s`}>
                    <td colSpan={7}>
                      <StatusChange
                        hoso={h}
                        onDone={(n) => {
                          replace(n);
                          setOpen(null);
                        }}
                      />
                    </td>
                  </tr>
                )}
              </>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function StatusChange({ hoso, onDone }: { hoso: HoSoSummary; onDone: (h: HoSoSummary) => void }) {
  const [to, setTo] = useState(hoso.next_statuses[0]?.value ?? "");
  const [note, setNote] = useState("");
  const [error, setError] = useState<UiError | null>(null);
  const opt = hoso.next_statuses.find((s) => s.value === to);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (opt?.needs_note && !note.trim()) {
      setError({ code: "invalid_input", message: "Ghi rõ nội dung cần bổ sung / lý do từ chối." });
      return;
    }
    const r = await call(commands.hosoSetStatus({ ma_ho_so: hoso.ma_ho_so, to, note: note.trim() || null }));
    if (r.error) setError(r.error);
    else onDone(r.ok);
  };

  return (
    <form class="row" onSubmit={submit} data-testid="status-form">
      <div class="field">
        <label for="st-to">Chuyển sang</label>
        <select id="st-to" value={to} onChange={(e) => setTo((e.currentTarget as HTMLSelectElement).value)}>
          {hoso.next_statuses.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label_vi}
            </option>
          ))}
        </select>
      </div>
      <div class="field grow">
        <label for="st-note">Ghi chú{opt?.needs_note ? " (bắt buộc)" : ""}</label>
        <input id="st-note" value={note} onInput={(e) => setNote((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <button class="primary" type="submit">
        Cập nhật
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}
