// Tiếp nhận hồ sơ (F7): pick the procedure, check the auto-filled form and the checklist, then
// one key — Ctrl+Enter or F9 — saves, shows the mã hồ sơ and prints / saves the receipt.
// The scan panel below the form (F8) digitizes the components; the session is committed to the
// saved hồ sơ right after saving (saving never waits for or fails on digitization).
import { useEffect, useRef, useState } from "preact/hooks";
import type {
  ComponentView,
  CurrentCitizenView,
  FormFieldView,
  HoSoFormView,
  HoSoSummary,
  ProcedureItem,
  ReceiptResult,
  ScanSessionView,
  UiError,
} from "../bindings";
import { call, commands } from "../ipc";
import { ErrorBanner, Kbd } from "../widgets";
import "../hoso/hoso.css";
import {
  FORM_LABEL,
  SOURCE_LABEL,
  type FieldState,
  edit,
  fieldError,
  initialState,
  localTime,
  moveSel,
  validEmail,
  validPhone,
} from "../hoso/form";
import { PrintAgain, savedPrinter } from "../hoso/printer";
import { ScanPanel, STATE_VI, dmyDate, missingDigitized, scanError } from "../hoso/scanPanel";

export function HoSoIntakeScreen({ onDone }: { onDone: () => void }) {
  const [citizen, setCitizen] = useState<CurrentCitizenView | null | undefined>(undefined);
  const [error, setError] = useState<UiError | null>(null);
  const [procedure, setProcedure] = useState<ProcedureItem | null>(null);

  useEffect(() => {
    void call(commands.hosoCurrentCitizen()).then((r) => {
      if (r.error) setError(r.error);
      else setCitizen(r.ok);
    });
  }, []);

  if (error) return <ErrorBanner error={error} />;
  if (citizen === undefined) return <p class="lead">Đang tải…</p>;
  if (citizen === null) {
    return (
      <div class="empty" data-testid="hoso-no-citizen">
        <p class="lead">Chưa xác định công dân.</p>
        <p>
          Đặt thẻ CCCD lên đầu đọc hoặc quét mã QR ở màn hình Quầy <Kbd>F2</Kbd>, rồi nhấn <Kbd>F7</Kbd> để lập
          hồ sơ.
        </p>
      </div>
    );
  }
  return (
    <div class="hoso">
      <CitizenLine citizen={citizen} />
      {procedure ? (
        <IntakeForm
          citizen={citizen}
          procedure={procedure}
          onBack={() => setProcedure(null)}
          onDone={onDone}
        />
      ) : (
        <ProcedurePicker onPick={setProcedure} onCancel={onDone} />
      )}
    </div>
  );
}

function CitizenLine({ citizen }: { citizen: CurrentCitizenView }) {
  const how =
    citizen.source === "chip"
      ? citizen.verified
        ? "Đã xác thực bằng chip"
        : "Đọc từ chip, chưa xác thực"
      : citizen.source === "qr"
        ? "Từ mã QR, chưa xác thực"
        : "Nhập tay";
  return (
    <div class="hoso-citizen" data-testid="hoso-citizen">
      <strong>{citizen.full_name}</strong> <span class="mono">{citizen.id_number}</span>{" "}
      <span class={citizen.verified ? "tag ok" : "tag warn"}>{how}</span>
    </div>
  );
}

// ------------------------------------------------------------------ picker

export function ProcedurePicker({
  onPick,
  onCancel,
}: {
  onPick: (p: ProcedureItem) => void;
  onCancel: () => void;
}) {
  const [query, setQuery] = useState("");
  const [items, setItems] = useState<ProcedureItem[]>([]);
  const [sel, setSel] = useState(0);
  const [error, setError] = useState<UiError | null>(null);
  const seq = useRef(0);

  const load = async (q: string) => {
    const mine = ++seq.current;
    const r = await call(commands.hosoProcedures({ query: q }));
    if (mine !== seq.current) return; // an older answer arriving late
    if (r.error) setError(r.error);
    else {
      setError(null);
      setItems(r.ok);
      setSel(0);
    }
  };
  useEffect(() => void load(""), []);

  const star = async (p: ProcedureItem | undefined) => {
    if (!p) return;
    const r = await call(commands.hosoToggleFavourite({ code: p.code }));
    if (r.error) setError(r.error);
    else await load(query);
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") setSel((i) => moveSel(i, items.length, 1));
    else if (e.key === "ArrowUp") setSel((i) => moveSel(i, items.length, -1));
    else if (e.key === "Enter" && items[sel]) onPick(items[sel]);
    else if (e.key === "F6") void star(items[sel]);
    else if (e.key === "Escape") onCancel();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div class="panel hoso-picker">
      <h2>Chọn thủ tục</h2>
      <div class="field">
        <label for="proc-search">Tìm thủ tục (tên không dấu hoặc mã)</label>
        <input
          id="proc-search"
          data-testid="proc-search"
          autoFocus
          autoComplete="off"
          value={query}
          onInput={(e) => {
            const q = (e.currentTarget as HTMLInputElement).value;
            setQuery(q);
            void load(q);
          }}
          onKeyDown={onKey}
          aria-controls="proc-list"
          aria-activedescendant={items[sel] ? `proc-${items[sel].code}` : undefined}
        />
        <div class="hint">
          <Kbd>↑</Kbd> <Kbd>↓</Kbd> chọn · <Kbd>Enter</Kbd> mở tờ khai · <Kbd>F6</Kbd> đánh dấu ưa dùng ★ ·{" "}
          <Kbd>Esc</Kbd> quay lại
        </div>
      </div>
      <ErrorBanner error={error} />
      {items.length === 0 && query.trim() !== "" && <p data-testid="proc-none">Không tìm thấy thủ tục phù hợp.</p>}
      <ul id="proc-list" class="proc-list" role="listbox" aria-label="Thủ tục">
        {items.map((p, i) => (
          <li
            key={p.code}
            id={`proc-${p.code}`}
            role="option"
            aria-selected={i === sel}
            class={i === sel ? "proc sel" : "proc"}
            data-testid="proc-item"
            data-code={p.code}
            onClick={() => onPick(p)}
          >
            <span class="star" aria-label={p.favourite ? "Ưa dùng" : undefined}>
              {p.favourite ? "★" : p.recent ? "↺" : " "}
            </span>
            <span class="proc-name">{p.name}</span>
            <span class="proc-meta">
              {p.code} · {p.working_days === 0 ? "Trong ngày" : `${p.working_days} ngày làm việc`}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

// ------------------------------------------------------------------ form

type Saved = {
  hoso: HoSoSummary;
  receipt: ReceiptResult | null;
  receiptError: UiError | null;
  /** The digitized components after scan_commit ("pending" while it runs; null: nothing scanned). */
  scan: ScanSessionView | "pending" | null;
  scanError: UiError | null;
};

function FieldInput({
  f,
  st,
  error,
  onChange,
}: {
  f: FormFieldView;
  st: FieldState;
  error: string | null;
  onChange: (v: string) => void;
}) {
  const id = `f-${f.id}`;
  const choices = f.needs_choice ? f.choices : f.kind === "select" ? f.options : [];
  return (
    <div class={error ? "field hoso-field invalid" : "field hoso-field"} data-testid={`field-${f.id}`}>
      <label for={id}>
        {f.label_vi}
        {f.required && <span class="req" aria-label="bắt buộc"> *</span>}{" "}
        <span class={`src src-${st.source}`} data-testid={`source-${f.id}`}>
          {SOURCE_LABEL[st.source]}
        </span>
      </label>
      {choices.length > 0 ? (
        <select
          id={id}
          value={st.value}
          aria-invalid={error ? "true" : undefined}
          onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">— Chọn —</option>
          {choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          value={st.value}
          autoComplete="off"
          placeholder={f.kind === "date" ? "dd/mm/yyyy" : undefined}
          aria-invalid={error ? "true" : undefined}
          onInput={(e) => onChange((e.currentTarget as HTMLInputElement).value)}
        />
      )}
      {f.warning && !st.edited && <div class="hint warn-text">{f.warning}</div>}
      {error && (
        <div class="field-error" role="alert" data-testid={`error-${f.id}`}>
          {error}
        </div>
      )}
    </div>
  );
}

export function IntakeForm({
  citizen,
  procedure,
  onBack,
  onDone,
}: {
  citizen: CurrentCitizenView;
  procedure: ProcedureItem;
  onBack: () => void;
  onDone: () => void;
}) {
  const [form, setForm] = useState<HoSoFormView | null>(null);
  const [fields, setFields] = useState<Record<string, FieldState>>({});
  const [components, setComponents] = useState<ComponentView[]>([]);
  const [phone, setPhone] = useState("");
  const [email, setEmail] = useState("");
  const [sets, setSets] = useState("1");
  const [showErrors, setShowErrors] = useState(false);
  const [serverIssues, setServerIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<Saved | null>(null);
  const [print, setPrint] = useState(true);
  const [scan, setScan] = useState<ScanSessionView | null>(null);
  const [confirmMissing, setConfirmMissing] = useState(false);

  const load = async (first: boolean) => {
    const r = await call(commands.hosoForm({ procedure_code: procedure.code, phone: null, email: null }));
    if (r.error) return setError(r.error);
    setForm(r.ok);
    if (first) {
      const init: Record<string, FieldState> = {};
      for (const f of r.ok.fields) init[f.id] = initialState(f);
      setFields(init);
      setComponents(r.ok.components);
    }
  };
  useEffect(() => void load(true), [procedure.code]);
  // The return date moves with the clock (15:00 cut-off, end of day): refresh every minute.
  useEffect(() => {
    const t = setInterval(() => void load(false), 60_000);
    return () => clearInterval(t);
  }, [procedure.code]);

  const errorOf = (f: FormFieldView): string | null => {
    const st = fields[f.id];
    if (!st) return null;
    const local = fieldError(f, st);
    if (local) return showErrors || st.edited ? local : null;
    return serverIssues[f.id] ?? null;
  };

  const contactError = (): string | null => {
    if (phone.trim() && !validPhone(phone.trim())) return "Số điện thoại không hợp lệ (ví dụ 0912 345 678).";
    if (email.trim() && !validEmail(email.trim())) return "Địa chỉ thư điện tử không hợp lệ.";
    return null;
  };

  const save = async () => {
    if (!form || busy || saved) return;
    setShowErrors(true);
    const bad = form.fields.filter((f) => fields[f.id] && fieldError(f, fields[f.id]));
    const nSets = Number(sets);
    if (bad.length > 0 || contactError() || !(nSets >= 1 && nSets <= 99)) {
      setError({
        code: "form_invalid",
        message:
          bad.length > 0
            ? `Tờ khai còn ${bad.length} trường chưa hợp lệ (tô đỏ). Sửa rồi lưu lại.`
            : contactError() ?? "Số bộ hồ sơ từ 1 đến 99.",
      });
      if (bad[0]) document.getElementById(`f-${bad[0].id}`)?.focus();
      return;
    }
    // Every scanned page must belong to a component (one PDF per component): assign or delete.
    const unassigned = scan ? scan.pages.filter((p) => p.component === null).length : 0;
    if (unassigned > 0) {
      setError({
        code: "digitize_unassigned_pages",
        message: `Còn ${unassigned} trang quét chưa gán thành phần hồ sơ. Chọn trang rồi bấm số 1–9 để gán (hoặc Delete để xóa trang thừa), rồi lưu lại.`,
      });
      return;
    }
    // Digitization never blocks saving: a must-digitize component without pages only asks once.
    const missing = missingDigitized(scan).filter((c) => components.find((x) => x.name === c.name)?.received !== false);
    if (missing.length > 0 && !confirmMissing) {
      setConfirmMissing(true);
      setError({
        code: "digitize_missing",
        message: `Thành phần ${missing.map((c) => `“${c.name}”`).join(", ")} chưa được số hóa. Nhấn Lưu (Ctrl+Enter / F9) lần nữa để vẫn lưu hồ sơ; có thể số hóa sau ở màn hình Hồ sơ (F5).`,
      });
      return;
    }
    setBusy(true);
    setError(null);
    const values = form.fields
      .filter((f) => fields[f.id]?.edited)
      .map((f) => ({ id: f.id, value: fields[f.id].value }));
    // The applicant's contact: the contact box, else the form's own phone / e-mail field.
    const fromForm = (kind: string) =>
      form.fields.map((f) => (f.kind === kind ? fields[f.id]?.value.trim() : "")).find((v) => !!v) ?? "";
    const contactPhone = phone.trim() || fromForm("phone");
    const contactEmail = email.trim() || fromForm("email");
    const r = await call(
      commands.hosoCreate({
        procedure_code: procedure.code,
        identification_id: citizen.identification_id,
        values,
        components,
        phone: contactPhone || null,
        email: contactEmail || null,
        representative: null,
        sets: nSets,
      }),
    );
    if (r.error) {
      setBusy(false);
      setError(r.error);
      if (r.error.code === "form_invalid") {
        const c = await call(
          commands.hosoCheckForm({ procedure_code: procedure.code, values, phone: null, email: null }),
        );
        if (c.ok) setServerIssues(Object.fromEntries(c.ok.map((i) => [i.field, i.message_vi])));
      }
      return;
    }
    const rec = await call(commands.hosoReceipt({ ma_ho_so: r.ok.ma_ho_so, print, printer: savedPrinter(), paper: null }));
    const draft = scan;
    const hasScan = !!draft && (draft.pages.length > 0 || draft.components.some((c) => c.reused_from));
    setSaved({
      hoso: r.ok,
      receipt: rec.ok ?? null,
      receiptError: rec.error ?? null,
      scan: hasScan ? "pending" : null,
      scanError: null,
    });
    setBusy(false);
    if (!draft) return;
    if (!hasScan) {
      // Nothing scanned: drop the empty draft so it does not come back for the next citizen.
      void call(commands.scanDiscard({ session_id: draft.session_id }));
      return;
    }
    const c = await call(commands.scanCommit({ session_id: draft.session_id, ma_ho_so: r.ok.ma_ho_so }));
    setSaved((s) => s && { ...s, scan: c.ok ?? null, scanError: c.error ? scanError(c.error) : null });
  };

  // One listener for the form's life; it always calls the latest closures (effects run after
  // paint, so a listener re-registered per render could miss the first key press).
  const keys = useRef({ save, saved, onBack, onDone });
  keys.current = { save, saved, onBack, onDone };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const k = keys.current;
      if (e.key === "F9" || (e.ctrlKey && e.key === "Enter")) {
        e.preventDefault();
        void k.save();
      } else if (e.key === "Escape") {
        e.preventDefault();
        if (k.saved) k.onDone();
        else k.onBack();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  if (saved) return <SavedPanel saved={saved} onDone={onDone} />;
  if (!form) return error ? <ErrorBanner error={error} /> : <p class="lead">Đang tải tờ khai…</p>;

  const sections: { id: string; title: string; fields: FormFieldView[] }[] = [];
  for (const f of form.fields) {
    const last = sections[sections.length - 1];
    if (last && last.id === f.section) last.fields.push(f);
    else sections.push({ id: f.section, title: f.section_title, fields: [f] });
  }
  const setComp = (i: number, c: Partial<ComponentView>) =>
    setComponents((cs) => cs.map((x, j) => (j === i ? { ...x, ...c } : x)));

  return (
    <div class="hoso-form" data-testid="hoso-form">
      <div class="hoso-head">
        <div>
          <h2>{form.procedure.name}</h2>
          <div class="muted">
            {form.title} · mã thủ tục {form.procedure.code}
          </div>
        </div>
        <div class="due" data-testid="due">
          <div class="muted">Thời hạn: {form.time_allowed_vi}</div>
          <div>
            Hẹn trả: <strong>{form.due_at_vi}</strong>
          </div>
        </div>
      </div>
      <ErrorBanner error={error} />
      <div class="hoso-cols">
        <div class="hoso-fields">
          <fieldset>
            <legend>Liên hệ</legend>
            <div class="field">
              <label for="hs-phone">Số điện thoại</label>
              <input id="hs-phone" value={phone} inputMode="tel" autoFocus onInput={(e) => setPhone((e.currentTarget as HTMLInputElement).value)} />
            </div>
            <div class="field">
              <label for="hs-email">Thư điện tử</label>
              <input id="hs-email" value={email} onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} />
            </div>
            {showErrors && contactError() && <div class="field-error">{contactError()}</div>}
          </fieldset>
          {sections.map((s) => (
            <fieldset key={s.id}>
              <legend>{s.title}</legend>
              {s.fields.map((f) =>
                fields[f.id] ? (
                  <FieldInput
                    key={f.id}
                    f={f}
                    st={fields[f.id]}
                    error={errorOf(f)}
                    onChange={(v) => {
                      setFields((all) => ({ ...all, [f.id]: edit(f, v) }));
                      setServerIssues((si) => {
                        const { [f.id]: _, ...rest } = si;
                        return rest;
                      });
                    }}
                  />
                ) : null,
              )}
            </fieldset>
          ))}
        </div>
        <div class="hoso-side">
          <fieldset data-testid="checklist">
            <legend>Thành phần hồ sơ</legend>
            {components.map((c, i) => {
              const sc = scan?.components.find((x) => x.name === c.name);
              const reused = sc?.reused_from ? scan?.reusable.find((r) => r.document_id === sc.reused_from) : undefined;
              return (
                <div
                  class={sc?.done ? "comp done" : sc?.must_digitize ? "comp missing" : "comp"}
                  key={c.name}
                  data-testid="checklist-line"
                  data-done={sc ? String(sc.done) : undefined}
                >
                  <label class="check">
                    <input
                      type="checkbox"
                      checked={c.received}
                      onChange={(e) => setComp(i, { received: (e.currentTarget as HTMLInputElement).checked })}
                    />{" "}
                    {c.name}
                    {c.optional && <span class="muted"> (nếu có)</span>}
                    {c.must_digitize && <span class="tag warn">Số hoá</span>}
                  </label>
                  <select
                    aria-label={`Hình thức: ${c.name}`}
                    value={c.form}
                    onChange={(e) => setComp(i, { form: (e.currentTarget as HTMLSelectElement).value })}
                  >
                    {Object.entries(FORM_LABEL).map(([k, v]) => (
                      <option key={k} value={k}>
                        {v}
                      </option>
                    ))}
                  </select>
                  <input
                    type="number"
                    min={1}
                    max={99}
                    aria-label={`Số lượng: ${c.name}`}
                    value={c.count}
                    onInput={(e) => setComp(i, { count: Math.max(1, Number((e.currentTarget as HTMLInputElement).value) || 1) })}
                  />
                  {sc && (sc.done || sc.must_digitize) && (
                    <div class={sc.done ? "comp-digitized ok" : "comp-digitized warn"}>
                      {sc.reused_from
                        ? `Dùng lại bản số hóa${reused ? ` ngày ${dmyDate(reused.received_at)}` : ""}`
                        : sc.done
                          ? `✓ Đã số hóa ${sc.pages} trang`
                          : "Chưa số hóa (bắt buộc)"}
                    </div>
                  )}
                </div>
              );
            })}
            <div class="field">
              <label for="hs-sets">Số bộ hồ sơ</label>
              <input id="hs-sets" type="number" min={1} max={99} value={sets} onInput={(e) => setSets((e.currentTarget as HTMLInputElement).value)} />
            </div>
          </fieldset>
          <label class="check">
            <input type="checkbox" checked={print} onChange={(e) => setPrint((e.currentTarget as HTMLInputElement).checked)} /> In
            giấy tiếp nhận ngay (máy in mặc định)
          </label>
          <button class="primary big" disabled={busy} onClick={() => void save()} data-testid="hoso-save">
            {busy ? "Đang lưu…" : "Lưu và in giấy tiếp nhận"} <Kbd>Ctrl+Enter</Kbd> <Kbd>F9</Kbd>
          </button>
          <button class="ghost" onClick={onBack}>
            Chọn thủ tục khác <Kbd>Esc</Kbd>
          </button>
          <div class="hint" data-testid="intake-keys">
            <Kbd>F8</Kbd> quét giấy tờ vào thành phần đang chọn (phần Số hóa bên dưới) · <Kbd>F9</Kbd> lưu
          </div>
        </div>
      </div>
      <ScanPanel procedureCode={procedure.code} maHoSo={null} onView={setScan} />
    </div>
  );
}

function SavedPanel({ saved, onDone }: { saved: Saved; onDone: () => void }) {
  const { hoso, receipt, receiptError, scan, scanError: digitizeError } = saved;
  return (
    <div class="panel hoso-saved" role="status" data-testid="hoso-saved">
      <h2>Đã tiếp nhận hồ sơ</h2>
      <div class="ma-ho-so" data-testid="ma-ho-so">
        {hoso.ma_ho_so}
      </div>
      <p>
        {hoso.procedure_name} — {hoso.applicant_name}
      </p>
      <p>
        Tiếp nhận: {localTime(hoso.received_at)} · Hẹn trả: <strong>{localTime(hoso.due_at)}</strong>
      </p>
      {receipt?.printed && <p class="ok-text">Đã gửi giấy tiếp nhận tới máy in.</p>}
      {receipt && <p class="muted">Bản PDF: {receipt.pdf_path}</p>}
      <ErrorBanner error={receipt?.print_error ?? receiptError} />
      <PrintAgain ma={hoso.ma_ho_so} failed={!!(receipt?.print_error ?? receiptError)} />
      {hoso.form_issues.length > 0 && (
        <p class="warn-text">Tờ khai còn {hoso.form_issues.length} trường cần bổ sung.</p>
      )}
      {scan === "pending" && (
        <p class="muted" data-testid="scan-committing">
          Đang lưu bản số hóa (tạo PDF, ký số)…
        </p>
      )}
      {scan && scan !== "pending" && (
        <ul class="scan-states" data-testid="scan-states">
          {scan.components
            .filter((c) => c.state !== "empty" || c.must_digitize)
            .map((c) => (
              <li key={c.position} data-state={c.state} class={c.state === "failed" ? "failed" : c.done ? "good" : ""}>
                {c.name}: {STATE_VI[c.state] ?? c.state}
                {c.pages > 0 && ` (${c.pages} trang)`}
                {c.error_vi && ` — ${c.error_vi}`}
              </li>
            ))}
        </ul>
      )}
      {digitizeError && (
        <div class="banner bad" role="alert" data-testid="scan-error" data-code={digitizeError.code}>
          Hồ sơ đã lưu, nhưng chưa lưu được bản số hóa: {digitizeError.message} Có thể số hóa lại ở màn hình Hồ sơ (F5).
        </div>
      )}
      <button class="primary" autoFocus onClick={onDone}>
        Xong <Kbd>Esc</Kbd>
      </button>
    </div>
  );
}
