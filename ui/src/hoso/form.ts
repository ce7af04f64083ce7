// Pure helpers of the hồ sơ intake: source badges, client-side validation (the same rules as
// `hoso::forms::validate`; Rust stays the authority on save), the picker's keyboard moves.
import type { FieldSourceView, FormFieldView } from "../bindings";

export const SOURCE_LABEL: Record<FieldSourceView, string> = {
  chip: "Chip",
  qr: "QR",
  converted_address: "Địa chỉ đã chuyển đổi",
  typed: "Nhập tay",
  system: "Hệ thống",
  empty: "Chưa có",
};

export const FORM_LABEL: Record<string, string> = {
  original: "Bản chính",
  copy: "Bản sao",
  present: "Xuất trình",
};

/** The state of one field on screen. */
export type FieldState = {
  value: string;
  source: FieldSourceView;
  /** A split ward still waiting for the clerk's choice. */
  needsChoice: boolean;
  /** Typed or chosen by the clerk (sent to Rust on save). */
  edited: boolean;
};

export function initialState(f: FormFieldView): FieldState {
  return { value: f.value ?? "", source: f.source, needsChoice: f.needs_choice, edited: false };
}

/** The clerk types or picks a value: a choice among the converted addresses keeps that source. */
export function edit(f: FormFieldView, value: string): FieldState {
  const v = value;
  const source: FieldSourceView =
    v.trim() === "" ? "empty" : f.needs_choice && f.choices.includes(v) ? "converted_address" : "typed";
  return { value: v, source, needsChoice: false, edited: true };
}

function validDate(v: string): boolean {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v);
  if (!m) return false;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

export function validPhone(s: string): boolean {
  const t = s.replace(/[ .-]/g, "");
  const digits = t.startsWith("+84") ? t.slice(3) : t.startsWith("0") ? t.slice(1) : null;
  return digits !== null && /^\d{9,10}$/.test(digits);
}

export function validEmail(s: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) && !/\.$/.test(s);
}

/** The Vietnamese message of an invalid field, or null. */
export function fieldError(f: FormFieldView, st: FieldState): string | null {
  if (st.needsChoice) return "Chọn một địa chỉ mới trong các phương án.";
  const v = st.value.trim();
  if (!v) return f.required ? "Bắt buộc nhập." : null;
  switch (f.kind) {
    case "date":
      if (!validDate(v)) return "Ngày phải có dạng ngày/tháng/năm (dd/mm/yyyy).";
      break;
    case "phone":
      if (!validPhone(v)) return "Số điện thoại không hợp lệ (ví dụ 0912 345 678).";
      break;
    case "email":
      if (!validEmail(v)) return "Địa chỉ thư điện tử không hợp lệ.";
      break;
    case "id_number":
      if (!/^\d{12}$/.test(v)) return "Số định danh cá nhân gồm 12 chữ số.";
      break;
    case "number":
      if (!/^\d+$/.test(v)) return "Chỉ nhập chữ số.";
      break;
    case "select":
      if (!f.options.includes(v)) return `Chọn một trong: ${f.options.join(", ")}.`;
      break;
  }
  if (f.pattern) {
    try {
      if (!new RegExp(f.pattern, "u").test(v)) return "Giá trị không đúng định dạng yêu cầu.";
    } catch {
      // A pattern JavaScript cannot read: Rust checks it on save.
    }
  }
  return null;
}

/** Arrow keys in a list of `n` items: wraps around. */
export function moveSel(i: number, n: number, delta: number): number {
  if (n <= 0) return 0;
  return (((i + delta) % n) + n) % n;
}

/** "2026-11-27 17:00" → "17:00 27/11/2026". */
export function localTime(s: string | null | undefined): string {
  if (!s) return "—";
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2})$/.exec(s);
  return m ? `${m[4]} ${m[3]}/${m[2]}/${m[1]}` : s;
}
