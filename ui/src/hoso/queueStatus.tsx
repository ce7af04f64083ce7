// The digitization queue on the hồ sơ list (F5): what waits for the agency's signature or for
// the provincial system, and why the last background pass stopped (a wrong token PIN, a bad
// configuration, the province unreachable) — never a silent failure.
import { useEffect, useState } from "preact/hooks";
import type { DigitizeStatusView, UiError } from "../bindings";
import { call, commands } from "../ipc";
import { ErrorBanner } from "../widgets";
import { localTime } from "./form";

/** Refresh period (the background pass runs every 60 s). */
const REFRESH_MS = 20_000;

export function QueueStatus() {
  const [st, setSt] = useState<DigitizeStatusView | null>(null);
  const [error, setError] = useState<UiError | null>(null);

  useEffect(() => {
    let alive = true;
    const load = async () => {
      const r = await call(commands.digitizeStatus());
      if (!alive) return;
      if (r.error) setError(r.error);
      else {
        setError(null);
        setSt(r.ok);
      }
    };
    void load();
    const t = setInterval(() => void load(), REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, []);

  if (error) return <ErrorBanner error={error} />;
  if (!st) return null;
  const waiting = st.captured + st.processed + st.signed;
  const parts: string[] = [];
  if (st.captured > 0) parts.push(`${st.captured} đang tạo PDF`);
  if (st.processed > 0) parts.push(`${st.processed} ${st.signing_configured ? "chờ ký số" : "chờ gửi"}`);
  if (st.signed > 0) parts.push(`${st.signed} đã ký, chờ gửi`);
  parts.push(`${st.delivered} đã gửi`);
  if (st.failed > 0) parts.push(`${st.failed} lỗi`);
  return (
    <div class={`queue-status${st.last_error || st.failed > 0 ? " bad" : ""}`} data-testid="queue-status">
      <div>
        <strong>Bản số hóa:</strong> {parts.join(" · ")}
        {st.last_sync_at && <span class="muted"> — đồng bộ lần cuối {localTime(st.last_sync_at)}</span>}
      </div>
      {!st.delivery_configured && waiting > 0 && (
        <div class="muted" data-testid="queue-local-only">
          Chưa cấu hình gửi hệ thống của tỉnh: bản số hóa được lưu an toàn trên máy này và sẽ được gửi khi quản trị
          viên cấu hình.
        </div>
      )}
      {st.last_error && (
        <div class="banner bad" role="alert" data-testid="queue-error" data-code={st.last_error.code}>
          Lần đồng bộ gần nhất chưa xong: {st.last_error.message}
        </div>
      )}
    </div>
  );
}
