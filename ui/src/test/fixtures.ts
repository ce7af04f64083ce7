// Invented people only; ID numbers use the unassigned province code 099.
import type { AppStatus, IdentificationView, SessionView } from "../bindings";

export const admin: SessionView = {
  clerk_id: "0190b5a0-0000-7000-8000-000000000001",
  username: "quantri",
  display_name: "Lê Quản Trị",
  role: "admin",
  locked: false,
  idle_lock_minutes: 5,
  purpose: "Xác minh danh tính tại quầy",
};

export function status(over: Partial<AppStatus> = {}): AppStatus {
  return { needs_setup: false, session: null, demo: true, version: "0.1.0", data_dir: "/tmp/x", ...over };
}

export function identification(verified = true): IdentificationView {
  return {
    id: "0190b5a0-0000-7000-8000-00000000abcd",
    at: "2026-11-28T03:04:05.000Z",
    clerk_name: "Lê Quản Trị",
    purpose: "Xác minh danh tính tại quầy",
    reader: "Đầu đọc mô phỏng",
    access: "PACE-CAN",
    citizen: {
      id_number: "099190000001",
      full_name: "Nguyễn Văn An",
      date_of_birth: "1990-05-12",
      gender: "Nam",
      nationality: "Việt Nam",
      ethnicity: "Kinh",
      religion: "Không",
      hometown: "Tỉnh Mô Phỏng",
      residence: "Số 1 Đường Mẫu",
      identifying_features: null,
      issue_date: "2021-07-01",
      expiry_date: null,
      father_name: "Nguyễn Văn Bình",
      mother_name: "Trần Thị Cúc",
      spouse_name: null,
      old_id_number: null,
    },
    mrz: [],
    photo: null,
    verification: verified
      ? { verified: true, passive: "ok", chip_auth: "ok", active_auth: "not_supported", reasons: [] }
      : {
          verified: false,
          passive: "failed",
          chip_auth: "failed",
          active_auth: "not_supported",
          reasons: ["Dữ liệu nhân thân trên chip không khớp chữ ký số của cơ quan cấp thẻ."],
        },
    apdus: 42,
    read_ms: 1800,
  };
}
