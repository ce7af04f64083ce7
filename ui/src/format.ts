import type { CheckStatus, PhaseView } from "./bindings";

/** "2001-11-03" -> "03/11/2001". */
export function dmy(iso: string | null | undefined): string {
  if (!iso) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** RFC 3339 instant -> "14:05 03/11/2025" in the machine's local time. */
export function dateTime(rfc: string): string {
  const d = new Date(rfc);
  if (Number.isNaN(d.getTime())) return rfc;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())} ${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;
}

/** Local date as YYYY-MM-DD. */
export function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export const PHASES: PhaseView[] = ["connect", "access", "read_data", "read_photo", "chip_auth", "verify", "done"];

export const PHASE_LABEL: Record<PhaseView, string> = {
  connect: "Kết nối thẻ",
  access: "Mở khoá chip",
  read_data: "Đọc thông tin",
  read_photo: "Đọc ảnh",
  chip_auth: "Kiểm tra thẻ thật",
  verify: "Kiểm tra chữ ký số",
  done: "Xong",
};

export const CHECK_LABEL: Record<CheckStatus, string> = {
  ok: "Hợp lệ",
  failed: "Không hợp lệ",
  no_trust_anchor: "Chưa kiểm tra được",
  not_supported: "Thẻ không hỗ trợ",
};

export function checkTone(s: CheckStatus): "ok" | "bad" | "warn" | "muted" {
  switch (s) {
    case "ok":
      return "ok";
    case "failed":
      return "bad";
    case "no_trust_anchor":
      return "warn";
    default:
      return "muted";
  }
}

/** CAN: exactly six digits. */
export function validCan(s: string): boolean {
  return /^\d{6}$/.test(s);
}
