import { render, screen } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import type { IdentificationView, QrCheckView, QrCitizenView } from "../bindings";
import { cardReducer, initialCard } from "../cardState";
import { QrCheck, QrCitizen } from "./panel";

const qr: QrCitizenView = {
  source: "wedge",
  accepted: true,
  design: "cccd2021",
  citizen: {
    id_number: "001090123456",
    full_name: "Nguyễn Văn Thử",
    date_of_birth: "1990-03-15",
    gender: "Nam",
    nationality: null,
    ethnicity: null,
    religion: null,
    hometown: null,
    residence: "Số 5, Phường Thử, Hà Nội",
    identifying_features: null,
    issue_date: "2021-06-01",
    expiry_date: null,
    father_name: null,
    mother_name: null,
    spouse_name: null,
    old_id_number: "012345678",
  },
  issues: [],
  key_ready: true,
  identification_id: "x",
  at: "2026-11-28T02:00:00.000Z",
};

describe("QR citizen panel", () => {
  it("says the data is from the QR and not verified, and that no CAN is needed", () => {
    render(<QrCitizen qr={qr} onClear={() => undefined} />);
    expect(screen.getByTestId("qr-verdict").textContent).toContain("Từ mã QR — chưa xác thực");
    expect(screen.getByTestId("qr-full-name").textContent).toContain("Nguyễn Văn Thử");
    expect(screen.getByText("15/03/1990")).toBeTruthy();
    expect(screen.getByTestId("qr-next").textContent).toContain("không cần nhập số CAN");
  });

  it("lists the problems of a rejected payload with their fields", () => {
    const bad: QrCitizenView = {
      ...qr,
      accepted: false,
      design: "",
      citizen: { ...qr.citizen, full_name: "" },
      issues: [{ code: "telex_residue", field: "Họ và tên", message: "Bộ gõ Telex đã làm hỏng chữ." }],
    };
    render(<QrCitizen qr={bad} onClear={() => undefined} />);
    const li = screen.getByTestId("qr-issues").querySelector("li")!;
    expect(li.dataset.code).toBe("telex_residue");
    expect(li.textContent).toContain("Họ và tên");
    expect(screen.queryByTestId("qr-full-name")).toBeNull();
  });

  it("shows every QR/chip mismatch prominently", () => {
    const check: QrCheckView = {
      source: "camera",
      same_id: true,
      mismatches: [
        { field: "full_name", label: "Họ và tên", qr: "Nguyễn Văn Thụ", chip: "Nguyễn Văn Thử" },
        { field: "date_of_birth", label: "Ngày sinh", qr: "1990-03-16", chip: "1990-03-15" },
      ],
    };
    render(<QrCheck check={check} />);
    const box = screen.getByTestId("qr-check");
    expect(box.getAttribute("role")).toBe("alert");
    expect(box.textContent).toContain("KHÔNG KHỚP");
    expect(box.querySelectorAll("tbody tr").length).toBe(2);
    expect(box.textContent).toContain("16/03/1990");
  });

  it("the chip result replaces the QR citizen; a new QR replaces the chip result", () => {
    let s = cardReducer(initialCard, { type: "event", event: { kind: "qr_scanned", qr } });
    expect(s.qr?.citizen.id_number).toBe("001090123456");
    s = cardReducer(s, { type: "event", event: { kind: "card_present", reader: "R" } });
    expect(s.qr).not.toBeNull();
    const id = { citizen: qr.citizen } as unknown as IdentificationView;
    s = cardReducer(s, { type: "event", event: { kind: "identified", identification: id, received_at_ms: 0 } });
    expect(s.qr).toBeNull();
    expect(s.result).toBe(id);
    s = cardReducer(s, { type: "event", event: { kind: "qr_scanned", qr } });
    expect(s.result).toBeNull();
    s = cardReducer(s, { type: "clear" });
    expect(s.qr).toBeNull();
  });
});
