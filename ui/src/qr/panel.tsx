// The citizen as read from a QR code ("Từ mã QR — chưa xác thực") and, after the chip read, the
// comparison of QR and chip with every mismatch listed.
import type { QrCheckView, QrCitizenView } from "../bindings";
import { dmy } from "../format";
import "./qr.css";

const SOURCE_LABEL: Record<QrCitizenView["source"], string> = {
  camera: "camera",
  wedge: "máy quét (bàn phím)",
  serial: "máy quét (cổng serial)",
  manual: "nhập tay",
};

const DESIGN_LABEL: Record<string, string> = {
  cccd2021: "CCCD gắn chip (2021)",
  can_cuoc2024: "Thẻ căn cước (2024)",
  unknown: "mẫu chưa xác định",
};

export function QrCitizen({ qr, onClear }: { qr: QrCitizenView; onClear: () => void }) {
  const c = qr.citizen;
  const rows: [string, string | null | undefined][] = [
    ["Ngày sinh", dmy(c.date_of_birth)],
    ["Giới tính", c.gender],
    ["Nơi thường trú / nơi cư trú", c.residence],
    ["Ngày cấp", dmy(c.issue_date)],
    ["Số CMND cũ", c.old_id_number],
    ["Họ tên cha", c.father_name],
    ["Họ tên mẹ", c.mother_name],
  ];
  return (
    <article class="citizen qr-citizen" data-testid="qr-citizen" data-accepted={String(qr.accepted)}>
      <div class="verdict qr" data-testid="qr-verdict">
        Từ mã QR — chưa xác thực
        <span class="qr-sub">
          {" "}
          · quét bằng {SOURCE_LABEL[qr.source]}
          {qr.design && ` · ${DESIGN_LABEL[qr.design] ?? qr.design}`}
        </span>
      </div>
      {qr.issues.length > 0 && (
        <ul class={qr.accepted ? "reasons warn" : "reasons"} data-testid="qr-issues">
          {qr.issues.map((i) => (
            <li key={i.code + (i.field ?? "")} data-code={i.code}>
              {i.field && <strong>{i.field}: </strong>}
              {i.message}
            </li>
          ))}
        </ul>
      )}
      <div class="facts">
        <div class="id-number" data-testid="qr-id-number">
          <span class="fact-label">Số định danh cá nhân</span>
          <span class="fact-value mono">{c.id_number || "—"}</span>
        </div>
        {qr.accepted && (
          <>
            <div class="full-name" data-testid="qr-full-name">
              <span class="fact-label">Họ, chữ đệm và tên</span>
              <span class="fact-value">{c.full_name}</span>
            </div>
            <dl class="grid">
              {rows
                .filter(([, v]) => v)
                .map(([label, v]) => (
                  <div key={label} class={label.startsWith("Nơi") ? "cell wide" : "cell"}>
                    <dt>{label}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
            </dl>
          </>
        )}
      </div>
      <p class="qr-next" data-testid="qr-next">
        {qr.key_ready
          ? "Đặt thẻ lên đầu đọc để xác thực bằng chip — không cần nhập số CAN."
          : "Không lấy được số định danh từ mã QR: quét lại, hoặc đặt thẻ lên đầu đọc và nhập số CAN."}
      </p>
      <footer class="meta">
        <button class="ghost" onClick={onClear}>
          Xoá khỏi màn hình <kbd>Esc</kbd>
        </button>
      </footer>
    </article>
  );
}

export function QrCheck({ check }: { check: QrCheckView }) {
  if (check.mismatches.length === 0) {
    return (
      <div class="qr-check ok" data-testid="qr-check" data-mismatches="0">
        ✓ Mã QR khớp dữ liệu trên chip.
      </div>
    );
  }
  return (
    <div class="qr-check bad" data-testid="qr-check" data-mismatches={String(check.mismatches.length)} role="alert">
      <strong>
        {check.same_id
          ? `MÃ QR KHÔNG KHỚP CHIP ở ${check.mismatches.length} trường — kiểm tra lại với công dân`
          : "MÃ QR LÀ CỦA NGƯỜI KHÁC — số định danh trên QR khác số trên chip"}
      </strong>
      <table>
        <thead>
          <tr>
            <th>Trường</th>
            <th>Trên mã QR</th>
            <th>Trên chip (đã xác thực)</th>
          </tr>
        </thead>
        <tbody>
          {check.mismatches.map((m) => (
            <tr key={m.field} data-field={m.field}>
              <td>{m.label}</td>
              <td>{m.field.endsWith("date") || m.field === "date_of_birth" ? dmy(m.qr) : m.qr || "(trống)"}</td>
              <td>{m.field.endsWith("date") || m.field === "date_of_birth" ? dmy(m.chip) : m.chip || "(trống)"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
