import { useEffect, useRef, useState } from "preact/hooks";
import type { CheckStatus, DemoCardInfo, IdentificationView, SessionView, UiError } from "../bindings";
import type { CardAction, CardState } from "../cardState";
import { CHECK_LABEL, PHASES, PHASE_LABEL, checkTone, dateTime, dmy, validCan } from "../format";
import { call, commands } from "../ipc";
import { ErrorBanner, Kbd } from "../widgets";
import { QrCheck, QrCitizen } from "../qr/panel";
import { CameraPanel, SerialControl } from "../qr/scanners";

type Props = {
  card: CardState;
  dispatch: (a: CardAction) => void;
  demo: boolean;
  session: SessionView;
  onSession: (s: SessionView) => void;
};

export function CounterScreen({ card, dispatch, demo, session, onSession }: Props) {
  const reader = card.readers[0] ?? null;
  const cardPresent = card.readers.some((r) => r.card_present);

  const clear = () => {
    dispatch({ type: "clear" });
    void call(commands.clearQr());
  };

  // Esc: clear the citizen from the screen (privacy between citizens).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !(e.target instanceof HTMLInputElement)) clear();
      else if (e.key === "F8") {
        e.preventDefault();
        void retry();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const retry = async () => {
    const r = await call(commands.readCard({ can: null, reader: null }));
    if (!r.error) return;
    if (r.error.code === "can_required" && reader) {
      dispatch({ type: "event", event: { kind: "can_required", reader: reader.name } });
    } else dispatch({ type: "error", error: r.error });
  };

  return (
    <div class="counter">
      <aside class="side">
        <ReaderStatus card={card} />
        {card.phase && <Progress phase={card.phase} />}
        {!card.phase && !card.result && !card.canFor && reader && !cardPresent && (
          <div class="prompt" data-testid="prompt">
            <div class="prompt-icon" aria-hidden="true">▭</div>
            Đặt thẻ CCCD lên đầu đọc
          </div>
        )}
        {card.canFor && <CanEntry reader={card.canFor} dispatch={dispatch} />}
        <ErrorBanner error={card.error} />
        {cardPresent && !card.phase && !card.canFor && (
          <button class="secondary" onClick={() => void retry()} data-testid="retry">
            Đọc lại thẻ <Kbd>F8</Kbd>
          </button>
        )}
        <CameraPanel
          onScanned={(qr) => dispatch({ type: "event", event: { kind: "qr_scanned", qr } })}
          onError={(error) => dispatch({ type: "error", error })}
        />
        <SerialControl />
        <Purpose session={session} onSession={onSession} />
        {demo && <DemoPanel />}
      </aside>
      <section class="result" aria-live="polite">
        {card.result ? (
          <Result id={card.result} shownMs={card.lastShowMs} onClear={clear} />
        ) : card.qr ? (
          <QrCitizen qr={card.qr} onClear={clear} />
        ) : (
          <div class="empty">
            <p class="lead">Chưa có thông tin công dân.</p>
            <p>Kết quả đọc thẻ sẽ hiện ở đây. Nhấn <Kbd>Esc</Kbd> để xoá khỏi màn hình khi xong.</p>
          </div>
        )}
      </section>
    </div>
  );
}

function ReaderStatus({ card }: { card: CardState }) {
  if (card.readers.length === 0) {
    return (
      <div class="reader-status bad" data-testid="reader-status" data-state="none">
        <strong>Chưa có đầu đọc thẻ</strong>
        <span>Cắm đầu đọc vào máy tính; màn hình tự cập nhật.</span>
      </div>
    );
  }
  return (
    <>
      {card.readers.map((r) => (
        <div
          key={r.name}
          class={r.simulated ? "reader-status sim" : "reader-status ok"}
          data-testid="reader-status"
          data-state={r.card_present ? "card" : "empty"}
        >
          {r.simulated && <span class="tag sim-tag">Đầu đọc mô phỏng</span>}
          <strong>{r.name}</strong>
          <span>{r.card_present ? "Có thẻ trên đầu đọc" : "Chưa có thẻ"}</span>
        </div>
      ))}
    </>
  );
}

function Progress({ phase }: { phase: NonNullable<CardState["phase"]> }) {
  const at = PHASES.indexOf(phase);
  const steps = PHASES.filter((p) => p !== "done");
  return (
    <div class="progress" data-testid="progress" role="status">
      <div class="progress-title">Đang đọc thẻ — giữ yên thẻ trên đầu đọc</div>
      <ol>
        {steps.map((p, i) => (
          <li key={p} class={i < at ? "done" : i === at ? "now" : ""}>
            {i < at ? "✓ " : i === at ? "▶ " : "  "}
            {PHASE_LABEL[p]}
          </li>
        ))}
      </ol>
    </div>
  );
}

function CanEntry({ reader, dispatch }: { reader: string; dispatch: (a: CardAction) => void }) {
  const [can, setCan] = useState("");
  const [error, setError] = useState<UiError | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!validCan(can)) {
      setError({ code: "invalid_can", message: "Số CAN phải gồm đúng 6 chữ số." });
      return;
    }
    setError(null);
    const r = await call(commands.readCard({ can, reader }));
    setCan("");
    if (r.error) setError(r.error);
    else dispatch({ type: "error", error: null });
  };

  return (
    <form class="can" onSubmit={submit} data-testid="can-form">
      <label for="can-input">Nhập số CAN (6 chữ số in ở mặt trước thẻ, góc dưới bên phải)</label>
      <input
        id="can-input"
        ref={input}
        class="can-input"
        inputMode="numeric"
        autoComplete="off"
        maxLength={6}
        value={can}
        aria-invalid={error ? "true" : undefined}
        onInput={(e) => setCan((e.currentTarget as HTMLInputElement).value.replace(/\s/g, ""))}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            setCan("");
            setError(null);
          }
        }}
      />
      <ErrorBanner error={error} />
      <button class="primary" type="submit">
        Đọc thẻ <Kbd>Enter</Kbd>
      </button>
    </form>
  );
}

function Purpose({ session, onSession }: { session: SessionView; onSession: (s: SessionView) => void }) {
  const [value, setValue] = useState(session.purpose);
  const [error, setError] = useState<UiError | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    const r = await call(commands.setPurpose({ purpose: value }));
    if (r.error) setError(r.error);
    else {
      setError(null);
      onSession(r.ok);
    }
  };
  return (
    <form class="purpose" onSubmit={save}>
      <label for="purpose">Mục đích đọc thẻ (ghi vào nhật ký)</label>
      <div class="row">
        <input id="purpose" value={value} onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} />
        <button class="secondary" type="submit" disabled={value === session.purpose}>
          Lưu
        </button>
      </div>
      <ErrorBanner error={error} />
    </form>
  );
}

function DemoPanel() {
  const [cards, setCards] = useState<DemoCardInfo[]>([]);
  const [error, setError] = useState<UiError | null>(null);
  useEffect(() => {
    void call(commands.demoCards()).then((r) => r.ok && setCards(r.ok));
  }, []);
  const run = async (p: Promise<null>) => {
    const r = await call(p);
    setError(r.error ?? null);
  };
  return (
    <div class="demo" data-testid="demo-panel">
      <div class="demo-title">
        <span class="tag sim-tag">MÔ PHỎNG</span> Thẻ mẫu — không phải thẻ thật
      </div>
      <div class="demo-buttons">
        {cards.map((c) => (
          <button
            key={c.index}
            class="secondary"
            data-testid={`demo-card-${c.index}`}
            onClick={() => void run(commands.demoInsertCard({ card: c.index }))}
          >
            {c.label}
          </button>
        ))}
        <button class="ghost" onClick={() => void run(commands.demoRemoveCard())}>
          Nhấc thẻ ra
        </button>
        <button class="ghost" onClick={() => void run(commands.demoUnplug())}>
          Rút đầu đọc
        </button>
        <button class="ghost" onClick={() => void run(commands.demoPlug())}>
          Cắm đầu đọc
        </button>
      </div>
      <ErrorBanner error={error} />
    </div>
  );
}

function Badge({ label, status }: { label: string; status: CheckStatus }) {
  return (
    <div class={`badge ${checkTone(status)}`} data-testid={`badge-${label}`} data-status={status}>
      <span class="badge-label">{label}</span>
      <span class="badge-value">{CHECK_LABEL[status]}</span>
    </div>
  );
}

type Kind = "date" | "wide" | undefined;
const FIELDS: [keyof IdentificationView["citizen"], string, Kind][] = [
  ["date_of_birth", "Ngày sinh", "date"],
  ["gender", "Giới tính", undefined],
  ["nationality", "Quốc tịch", undefined],
  ["ethnicity", "Dân tộc", undefined],
  ["hometown", "Quê quán / Nơi đăng ký khai sinh", "wide"],
  ["residence", "Nơi thường trú", "wide"],
  ["religion", "Tôn giáo", undefined],
  ["issue_date", "Ngày cấp", "date"],
  ["identifying_features", "Đặc điểm nhận dạng", "wide"],
  ["expiry_date", "Có giá trị đến", "date"],
  ["old_id_number", "Số CMND cũ", undefined],
  ["father_name", "Họ tên cha", undefined],
  ["mother_name", "Họ tên mẹ", undefined],
  ["spouse_name", "Họ tên vợ/chồng", undefined],
];

function Result({ id, shownMs, onClear }: { id: IdentificationView; shownMs: number | null; onClear: () => void }) {
  const v = id.verification;
  const c = id.citizen;
  const [photoFailed, setPhotoFailed] = useState(false);
  return (
    <article class="citizen" data-testid="citizen">
      <div class={v.verified ? "verdict ok" : "verdict bad"} data-testid="verdict" data-verified={String(v.verified)}>
        {v.verified ? "ĐÃ XÁC THỰC — thẻ thật, dữ liệu nguyên vẹn" : "CHƯA XÁC THỰC — không dùng dữ liệu này để làm thủ tục"}
      </div>
      {id.qr_check && <QrCheck check={id.qr_check} />}
      {!v.verified && v.reasons.length > 0 && (
        <ul class="reasons" data-testid="reasons">
          {v.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      <div class="citizen-body">
        <div class="portrait">
          {id.photo && !photoFailed ? (
            <img src={id.photo.data_url} alt={`Ảnh chân dung trên chip của ${c.full_name}`} onError={() => setPhotoFailed(true)} />
          ) : (
            <div class="no-photo">{id.photo ? "Không hiển thị được ảnh (JPEG 2000)" : "Không có ảnh"}</div>
          )}
        </div>
        <div class="facts">
          <div class="id-number" data-testid="id-number">
            <span class="fact-label">Số định danh cá nhân</span>
            <span class="fact-value mono">{c.id_number}</span>
          </div>
          <div class="full-name" data-testid="full-name">
            <span class="fact-label">Họ, chữ đệm và tên</span>
            <span class="fact-value">{c.full_name}</span>
          </div>
          <dl class="grid">
            {FIELDS.map(([k, label, kind]) => {
              const raw = c[k];
              const value = kind === "date" ? dmy(raw) : raw;
              const shown = value || (k === "expiry_date" && c.issue_date ? "Không thời hạn" : "—");
              return (
                <div key={k} class={kind === "wide" ? "cell wide" : "cell"}>
                  <dt>{label}</dt>
                  <dd>{shown}</dd>
                </div>
              );
            })}
          </dl>
        </div>
      </div>
      <div class="badges">
        <Badge label="Chữ ký số (dữ liệu nguyên vẹn)" status={v.passive} />
        <Badge label="Chống thẻ giả (Chip Authentication)" status={v.chip_auth} />
        <Badge label="Active Authentication" status={v.active_auth} />
      </div>
      <footer class="meta">
        <span>Đọc lúc {dateTime(id.at)} · {id.access} · {id.reader} · {id.read_ms} ms đọc chip</span>
        {shownMs !== null && <span data-testid="shown-ms"> · hiển thị {Math.round(shownMs)} ms</span>}
        <button class="ghost" onClick={onClear}>
          Xoá khỏi màn hình <Kbd>Esc</Kbd>
        </button>
      </footer>
    </article>
  );
}
