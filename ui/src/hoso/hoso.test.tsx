// Hồ sơ intake: picker search and keys, source badges and validation, one-key save and print.
// Rust is mocked (mockIPC); invented people only.
import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import type { CurrentCitizenView, FormFieldView, HoSoFormView, HoSoSummary, ProcedureItem } from "../bindings";
import { HoSoIntakeScreen, ProcedurePicker } from "../screens/hoso";
import { edit, fieldError, initialState, moveSel } from "./form";

type Calls = { cmd: string; args: any }[];

function backend(handlers: Record<string, (args: any) => unknown>): Calls {
  const calls: Calls = [];
  mockIPC((cmd, payload) => {
    const args = (payload as { args?: unknown } | undefined)?.args;
    calls.push({ cmd, args });
    const h = handlers[cmd];
    if (!h) return Promise.reject({ code: "internal", message: `no mock for ${cmd}` });
    return h(args);
  });
  return calls;
}

const proc = (code: string, name: string, over: Partial<ProcedureItem> = {}): ProcedureItem => ({
  code,
  name,
  field: "Hộ tịch",
  agency: "UBND cấp xã",
  working_days: 3,
  fee_vnd: 0,
  favourite: false,
  recent: false,
  ...over,
});

const CATALOG = [
  proc("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", { favourite: true }),
  proc("1.000894", "Đăng ký kết hôn", { working_days: 0 }),
  proc("1.001193", "Đăng ký khai sinh", { working_days: 0 }),
];

const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();

const citizen: CurrentCitizenView = {
  identification_id: "0190b5a0-0000-7000-8000-00000000abcd",
  source: "chip",
  verified: true,
  full_name: "Nguyễn Văn An",
  id_number: "099190000001",
};

const field = (over: Partial<FormFieldView>): FormFieldView => ({
  id: "x",
  section: "nguoi_yeu_cau",
  section_title: "Người yêu cầu",
  label_vi: "X",
  kind: "text",
  required: false,
  value: null,
  source: "empty",
  needs_choice: false,
  choices: [],
  options: [],
  pattern: null,
  warning: null,
  note: null,
  ...over,
});

const FORM: HoSoFormView = {
  procedure: CATALOG[0],
  title: "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
  citizen,
  fields: [
    field({ id: "ho_ten", label_vi: "Họ, chữ đệm, tên", required: true, value: "Nguyễn Văn An", source: "chip" }),
    field({
      id: "noi_cu_tru",
      label_vi: "Nơi cư trú",
      kind: "address",
      required: true,
      source: "converted_address",
      needs_choice: true,
      choices: ["Phường Một, Tỉnh Mẫu", "Phường Hai, Tỉnh Mẫu"],
      warning: "Xã/phường cũ đã được chia cho nhiều đơn vị mới: hỏi công dân và chọn một.",
    }),
    field({ id: "muc_dich", label_vi: "Mục đích sử dụng", required: true, section: "yeu_cau", section_title: "Yêu cầu" }),
    field({ id: "ngay_sinh", label_vi: "Ngày sinh", kind: "date", value: "12/05/1990", source: "qr" }),
  ],
  components: [
    { name: "Tờ khai", form: "original", count: 1, received: true, must_digitize: true, optional: false },
    { name: "Giấy tờ chứng minh", form: "copy", count: 1, received: false, must_digitize: false, optional: true },
  ],
  received_at: "2026-11-24 09:00",
  due_at: "2026-11-27 09:00",
  due_at_vi: "09 giờ 00 phút, ngày 27/11/2026",
  time_allowed_vi: "03 ngày làm việc",
};

const SAVED: HoSoSummary = {
  ma_ho_so: "000.00.19.H12-261124-0001",
  procedure_code: "1.004873",
  procedure_name: CATALOG[0].name,
  status: "received",
  status_label_vi: "Đã tiếp nhận",
  received_at: "2026-11-24 09:00",
  due_at: "2026-11-27 09:00",
  paused: false,
  applicant_name: "Nguyễn Văn An",
  id_number: "099190000001",
  identity_method: "chip",
  identity_verified: true,
  next_statuses: [],
  form_issues: [],
};

const searching = {
  hoso_procedures: ({ query }: { query: string }) =>
    CATALOG.filter((p) => fold(p.name).includes(fold(query)) || p.code.startsWith(query)),
};

describe("helpers", () => {
  it("validates like the Rust side and keeps sources", () => {
    const date = field({ kind: "date", required: true });
    expect(fieldError(date, { ...initialState(date) })).toBe("Bắt buộc nhập.");
    expect(fieldError(date, edit(date, "31/02/2020"))).toContain("dd/mm/yyyy");
    expect(fieldError(date, edit(date, "29/02/2020"))).toBeNull();
    const phone = field({ kind: "phone" });
    expect(fieldError(phone, edit(phone, "0912 345 678"))).toBeNull();
    expect(fieldError(phone, edit(phone, "12345"))).toContain("điện thoại");
    const id = field({ kind: "id_number" });
    expect(fieldError(id, edit(id, "0991900000"))).toContain("12 chữ số");
    const split = field({ needs_choice: true, choices: ["A", "B"], source: "converted_address" });
    expect(fieldError(split, initialState(split))).toContain("Chọn");
    expect(edit(split, "B").source).toBe("converted_address");
    expect(edit(split, "C").source).toBe("typed");
    expect(edit(split, "").source).toBe("empty");
    expect(moveSel(0, 3, -1)).toBe(2);
    expect(moveSel(2, 3, 1)).toBe(0);
    expect(moveSel(0, 0, 1)).toBe(0);
  });
});

describe("procedure picker", () => {
  it("searches without diacritics, moves with arrows, picks with Enter, stars with F6", async () => {
    let picked: ProcedureItem | null = null;
    const calls = backend({ ...searching, hoso_toggle_favourite: () => true });
    render(<ProcedurePicker onPick={(p) => (picked = p)} onCancel={() => undefined} />);
    await waitFor(() => expect(screen.getAllByTestId("proc-item")).toHaveLength(3));
    expect(screen.getAllByTestId("proc-item")[0].textContent).toContain("★");
    const input = screen.getByTestId("proc-search");
    fireEvent.input(input, { target: { value: "dang ky" } });
    await waitFor(() => expect(screen.getAllByTestId("proc-item")).toHaveLength(2));
    const searches = calls.filter((c) => c.cmd === "hoso_procedures");
    expect(searches[searches.length - 1]?.args).toEqual({ query: "dang ky" });
    fireEvent.keyDown(input, { key: "ArrowDown" });
    await waitFor(() =>
      expect(screen.getAllByTestId("proc-item")[1].getAttribute("aria-selected")).toBe("true"),
    );
    fireEvent.keyDown(input, { key: "F6" });
    await waitFor(() => expect(calls.some((c) => c.cmd === "hoso_toggle_favourite")).toBe(true));
    expect(calls.find((c) => c.cmd === "hoso_toggle_favourite")?.args).toEqual({ code: "1.001193" });
    // The list reloads after starring; the selection is back on top.
    await waitFor(() => expect(screen.getAllByTestId("proc-item")[0].getAttribute("aria-selected")).toBe("true"));
    fireEvent.keyDown(input, { key: "ArrowUp" });
    fireEvent.keyDown(input, { key: "Enter" });
    await waitFor(() => expect(picked).not.toBeNull());
    expect(picked!.code).toBe("1.001193");
  });

  it("says so when nothing matches", async () => {
    backend(searching);
    render(<ProcedurePicker onPick={() => undefined} onCancel={() => undefined} />);
    fireEvent.input(screen.getByTestId("proc-search"), { target: { value: "xyz" } });
    await screen.findByTestId("proc-none");
  });
});

async function openForm(extra: Record<string, (args: any) => unknown> = {}): Promise<Calls> {
  const calls = backend({
    ...searching,
    hoso_current_citizen: () => citizen,
    hoso_form: () => FORM,
    ...extra,
  });
  render(<HoSoIntakeScreen onDone={() => undefined} />);
  await screen.findByTestId("hoso-citizen");
  await waitFor(() => expect(screen.getAllByTestId("proc-item")).toHaveLength(3));
  fireEvent.keyDown(screen.getByTestId("proc-search"), { key: "Enter" });
  await screen.findByTestId("hoso-form");
  return calls;
}

describe("intake form", () => {
  it("asks for a citizen first", async () => {
    backend({ hoso_current_citizen: () => null });
    render(<HoSoIntakeScreen onDone={() => undefined} />);
    await screen.findByTestId("hoso-no-citizen");
  });

  it("shows each field's source and highlights invalid fields in Vietnamese", async () => {
    const calls = await openForm();
    expect(screen.getByTestId("source-ho_ten").textContent).toBe("Chip");
    expect(screen.getByTestId("source-ngay_sinh").textContent).toBe("QR");
    expect(screen.getByTestId("source-noi_cu_tru").textContent).toBe("Địa chỉ đã chuyển đổi");
    expect(screen.getByTestId("source-muc_dich").textContent).toBe("Chưa có");
    expect(screen.getByTestId("due").textContent).toContain("27/11/2026");
    // Nothing highlighted before the first save attempt.
    expect(screen.queryByTestId("error-muc_dich")).toBeNull();
    fireEvent.keyDown(window, { key: "F9" });
    expect((await screen.findByTestId("error-muc_dich")).textContent).toBe("Bắt buộc nhập.");
    expect(screen.getByTestId("error-noi_cu_tru").textContent).toContain("Chọn một địa chỉ");
    expect(screen.getByTestId("error").textContent).toContain("2 trường");
    expect(calls.some((c) => c.cmd === "hoso_create")).toBe(false);
    // Typing fixes the field and flips its badge to "Nhập tay".
    fireEvent.input(screen.getByLabelText(/Mục đích sử dụng/), { target: { value: "Kết hôn" } });
    await waitFor(() => expect(screen.queryByTestId("error-muc_dich")).toBeNull());
    expect(screen.getByTestId("source-muc_dich").textContent).toBe("Nhập tay");
    const date = screen.getByLabelText(/Ngày sinh/);
    fireEvent.input(date, { target: { value: "32/01/1990" } });
    expect((await screen.findByTestId("error-ngay_sinh")).textContent).toContain("dd/mm/yyyy");
  });

  it("saves with Ctrl+Enter, then prints the receipt and shows the mã hồ sơ", async () => {
    const calls = await openForm({
      hoso_create: () => SAVED,
      hoso_receipt: (a: { ma_ho_so: string }) => ({
        ma_ho_so: a.ma_ho_so,
        pdf_path: `/data/receipts/${a.ma_ho_so}.pdf`,
        printed: true,
        job: "pdf-1",
        print_error: null,
      }),
    });
    fireEvent.change(screen.getByLabelText(/Nơi cư trú/), { target: { value: "Phường Hai, Tỉnh Mẫu" } });
    fireEvent.input(screen.getByLabelText(/Mục đích sử dụng/), { target: { value: "Kết hôn" } });
    fireEvent.click(screen.getByLabelText("Hình thức: Giấy tờ chứng minh").parentElement!.querySelector("input")!);
    fireEvent.input(screen.getByLabelText("Số điện thoại"), { target: { value: "0912 345 678" } });
    await waitFor(() => expect(screen.getByTestId("source-noi_cu_tru").textContent).toBe("Địa chỉ đã chuyển đổi"));
    fireEvent.keyDown(window, { key: "Enter", ctrlKey: true });
    expect((await screen.findByTestId("ma-ho-so")).textContent).toBe(SAVED.ma_ho_so);
    const create = calls.find((c) => c.cmd === "hoso_create")!.args;
    expect(create.identification_id).toBe(citizen.identification_id);
    expect(create.procedure_code).toBe("1.004873");
    // Only what the clerk typed or chose is sent; chip/QR values keep their source.
    expect(create.values).toEqual([
      { id: "noi_cu_tru", value: "Phường Hai, Tỉnh Mẫu" },
      { id: "muc_dich", value: "Kết hôn" },
    ]);
    expect(create.phone).toBe("0912 345 678");
    expect(create.components[1].received).toBe(true);
    expect(create.sets).toBe(1);
    const cmds = calls.map((c) => c.cmd);
    expect(cmds.indexOf("hoso_receipt")).toBeGreaterThan(cmds.indexOf("hoso_create"));
    expect(calls.find((c) => c.cmd === "hoso_receipt")!.args).toEqual({
      ma_ho_so: SAVED.ma_ho_so,
      print: true,
      printer: null,
      paper: null,
    });
    expect(screen.getByTestId("hoso-saved").textContent).toContain("Đã gửi giấy tiếp nhận tới máy in");
  });

  it("keeps the saved hồ sơ and shows the printer's error when printing fails", async () => {
    await openForm({
      hoso_create: () => SAVED,
      hoso_receipt: (a: { ma_ho_so: string }) => ({
        ma_ho_so: a.ma_ho_so,
        pdf_path: "/data/receipts/x.pdf",
        printed: false,
        job: null,
        print_error: { code: "print_no_default", message: "Chưa chọn máy in mặc định. Hãy chọn máy in trong cài đặt." },
      }),
    });
    fireEvent.change(screen.getByLabelText(/Nơi cư trú/), { target: { value: "Phường Một, Tỉnh Mẫu" } });
    fireEvent.input(screen.getByLabelText(/Mục đích sử dụng/), { target: { value: "Kết hôn" } });
    fireEvent.click(screen.getByTestId("hoso-save"));
    expect((await screen.findByTestId("ma-ho-so")).textContent).toBe(SAVED.ma_ho_so);
    expect(screen.getByTestId("error").getAttribute("data-code")).toBe("print_no_default");
    expect(screen.getByTestId("hoso-saved").textContent).toContain("/data/receipts/x.pdf");
  });

  it("lets the clerk pick the receipt printer, prints again with it and remembers it", async () => {
    localStorage.clear();
    const printed: (string | null)[] = [];
    const calls = await openForm({
      hoso_create: () => SAVED,
      hoso_printers: () => [
        { name: "quay-1-laser", is_default: false, status: "idle" },
        { name: "quay-2-inkjet", is_default: false, status: "idle" },
      ],
      hoso_receipt: (a: { ma_ho_so: string; printer: string | null }) => {
        printed.push(a.printer);
        return a.printer
          ? { ma_ho_so: a.ma_ho_so, pdf_path: "/data/receipts/x.pdf", printed: true, job: "quay-1-laser-7", print_error: null }
          : {
              ma_ho_so: a.ma_ho_so,
              pdf_path: "/data/receipts/x.pdf",
              printed: false,
              job: null,
              print_error: { code: "print_no_default", message: "Chưa chọn máy in mặc định." },
            };
      },
    });
    fireEvent.change(screen.getByLabelText(/Nơi cư trú/), { target: { value: "Phường Một, Tỉnh Mẫu" } });
    fireEvent.input(screen.getByLabelText(/Mục đích sử dụng/), { target: { value: "Kết hôn" } });
    fireEvent.click(screen.getByTestId("hoso-save"));
    await screen.findByTestId("ma-ho-so");
    const select = (await screen.findByLabelText("Máy in giấy tiếp nhận")) as HTMLSelectElement;
    await waitFor(() => expect(select.disabled).toBe(false));
    expect([...select.options].map((o) => o.value)).toEqual(["", "quay-1-laser", "quay-2-inkjet"]);
    fireEvent.change(select, { target: { value: "quay-1-laser" } });
    fireEvent.keyDown(window, { key: "p", ctrlKey: true });
    expect((await screen.findByTestId("print-again-ok")).textContent).toContain("quay-1-laser");
    expect(printed).toEqual([null, "quay-1-laser"]);
    expect(calls.filter((c) => c.cmd === "hoso_receipt").pop()!.args.ma_ho_so).toBe(SAVED.ma_ho_so);
    // The next receipt on this workstation goes to the chosen printer directly.
    const { savedPrinter } = await import("./printer");
    expect(savedPrinter()).toBe("quay-1-laser");
    localStorage.clear();
  });
});
