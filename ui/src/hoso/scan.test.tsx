// Scan panel: thumbnails, keyboard editing, progress events, error codes, commit after saving.
// Rust is mocked by a small in-memory session (mockIPC); invented people and documents only.
import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import type {
  CurrentCitizenView,
  DigitizeStatusView,
  HoSoFormView,
  HoSoSummary,
  ProcedureItem,
  ScanComponentView,
  ScanOp,
  ScanPageView,
  ScanSessionView,
} from "../bindings";
import { HoSoIntakeScreen } from "../screens/hoso";
import { HoSoListScreen } from "../screens/hosoList";
import { ScanPanel, scanError } from "./scanPanel";

type Calls = { cmd: string; args: any }[];

function backend(handlers: Record<string, (args: any) => unknown>): Calls {
  const calls: Calls = [];
  mockIPC(
    (cmd, payload) => {
      const args = (payload as { args?: unknown } | undefined)?.args;
      calls.push({ cmd, args });
      const h = handlers[cmd];
      if (!h) return Promise.reject({ code: "internal", message: `no mock for ${cmd}` });
      return h(args);
    },
    { shouldMockEvents: true },
  );
  return calls;
}

const SID = "0190b5a0-0000-7000-8000-00000000aaaa";

const page = (id: string, component: number | null, over: Partial<ScanPageView> = {}): ScanPageView => ({
  page_id: id,
  component,
  rotation: 0,
  thumb: "data:image/jpeg;base64,/9j/AA==",
  width: 2480,
  height: 3508,
  dpi: 300,
  blank: false,
  class: "grey",
  source: "sane",
  warning: null,
  ...over,
});

const comp = (position: number, name: string, must: boolean): ScanComponentView => ({
  position,
  name,
  must_digitize: must,
  pages: 0,
  reused_from: null,
  state: "empty",
  done: false,
  pdf_path: null,
  error_vi: null,
});

/** A fake scan session that applies the edit ops like the Rust side, so each answer is recomputed. */
function fakeSession(initial: ScanPageView[], components: ScanComponentView[]) {
  let pages = [...initial];
  let reused: Record<number, string | null> = {};
  let committed: string | null = null;
  const view = (): ScanSessionView => ({
    session_id: SID,
    ma_ho_so: committed,
    pages: pages.map((p) => ({ ...p })),
    components: components.map((c) => {
      const n = pages.filter((p) => p.component === c.position).length;
      const r = reused[c.position] ?? null;
      const done = n > 0 || !!r;
      return {
        ...c,
        pages: n,
        reused_from: r,
        done,
        state: committed ? (done ? "signed" : "empty") : r ? "reused" : n > 0 ? "pending" : "empty",
      };
    }),
    reusable: [
      {
        document_id: "doc-1",
        component_name: "Giấy khai sinh",
        ma_ho_so: "000.00.19.H12-260101-0007",
        received_at: "2026-01-01",
        pages: 1,
        valid_until: null,
        state: "signed",
      },
    ],
  });
  const edit = ({ op }: { op: ScanOp }) => {
    const i = "page_id" in op ? pages.findIndex((p) => p.page_id === op.page_id) : -1;
    if (op.op === "move") {
      const [p] = pages.splice(i, 1);
      pages.splice(op.to_index, 0, p);
    } else if (op.op === "rotate") {
      pages[i] = { ...pages[i], rotation: (((pages[i].rotation + op.quarter_turns * 90) % 360) + 360) % 360 };
    } else if (op.op === "delete") {
      pages.splice(i, 1);
    } else if (op.op === "assign") {
      pages = pages.map((p) => (op.page_ids.includes(p.page_id) ? { ...p, component: op.component } : p));
    } else if (op.op === "split_from") {
      const from = pages[i].component;
      for (let j = i; j < pages.length && (j === i || pages[j].component === from); j++)
        pages[j] = { ...pages[j], component: op.component };
    }
    return view();
  };
  const handlers: Record<string, (args: any) => unknown> = {
    scan_open: () => view(),
    scan_sources: () => [
      { id: "sane:fujitsu:fi-7160", label: "Fujitsu fi-7160", kind: "sane", adf: true, duplex: true },
      { id: "folder", label: "Thư mục quét", kind: "folder", adf: false, duplex: false },
      { id: "file", label: "Tệp", kind: "file", adf: false, duplex: false },
    ],
    scan_edit: edit,
    scan_acquire: (a: { component: number | null }) => {
      pages.push(page(`new-${pages.length + 1}`, a.component));
      return view();
    },
    scan_reuse: (a: { component: number; document_id: string | null }) => {
      reused = { ...reused, [a.component]: a.document_id };
      return view();
    },
    scan_commit: (a: { ma_ho_so: string }) => {
      committed = a.ma_ho_so;
      return view();
    },
    scan_discard: () => null,
  };
  return { handlers, view };
}

const COMPONENTS = [comp(0, "Tờ khai", true), comp(1, "Giấy khai sinh", false), comp(2, "Giấy tờ khác", false)];
const threePages = () => [page("p1", 0), page("p2", null), page("p3", 1, { blank: true, warning: "Trang có vẻ trắng" })];

const thumbs = () => screen.getAllByTestId("scan-thumb").map((t) => t.getAttribute("data-page"));
const grid = () => screen.getByTestId("scan-grid");
const lastEdit = (calls: Calls) => calls.filter((c) => c.cmd === "scan_edit").pop()?.args;

async function openPanel(extra: Record<string, (args: any) => unknown> = {}, pages = threePages()) {
  const s = fakeSession(pages, COMPONENTS);
  const calls = backend({ ...s.handlers, ...extra });
  render(<ScanPanel procedureCode="1.001193" maHoSo={null} />);
  await waitFor(() => expect(screen.getAllByTestId("scan-thumb")).toHaveLength(pages.length));
  await waitFor(() => expect(screen.getByTestId("scan-source").querySelectorAll("option").length).toBe(3));
  return calls;
}

/** Focus the grid and put the cursor on page `n` (1-based) with the arrow keys. */
async function cursorTo(n: number) {
  fireEvent.focus(grid());
  for (let i = 1; i < n; i++) fireEvent.keyDown(grid(), { key: "ArrowRight" });
  await waitFor(() => expect(screen.getAllByTestId("scan-thumb")[n - 1].className).toContain("cursor"));
}

describe("scan panel", () => {
  it("opens the session for the procedure and shows thumbnails in order with numbers, badges and flags", async () => {
    const calls = await openPanel();
    expect(calls.find((c) => c.cmd === "scan_open")?.args).toEqual({ procedure_code: "1.001193", ma_ho_so: null });
    expect(thumbs()).toEqual(["p1", "p2", "p3"]);
    const t = screen.getAllByTestId("scan-thumb");
    expect(t.map((x) => x.querySelector(".scan-pno")!.textContent)).toEqual(["1", "2", "3"]);
    expect(t[0].textContent).toContain("1 · Tờ khai");
    expect(t[1].textContent).toContain("Chưa gán");
    expect(t[2].textContent).toContain("2 · Giấy khai sinh");
    expect(t[2].textContent).toContain("Trang trắng?");
    expect(t[2].textContent).toContain("Trang có vẻ trắng");
    expect(t[0].className).toContain("comp-c0");
    expect(t[2].className).toContain("comp-c1");
    // A resumed draft says so.
    expect(screen.getByTestId("scan-resumed").textContent).toContain("3 trang");
  });

  it("moves a page with Alt+→ / Alt+← (scan_edit move with the target index)", async () => {
    const calls = await openPanel();
    await cursorTo(1);
    fireEvent.keyDown(grid(), { key: "ArrowRight", altKey: true });
    await waitFor(() => expect(thumbs()).toEqual(["p2", "p1", "p3"]));
    expect(lastEdit(calls)).toEqual({ session_id: SID, op: { op: "move", page_id: "p1", to_index: 1 } });
    fireEvent.keyDown(grid(), { key: "ArrowRight", altKey: true });
    await waitFor(() => expect(thumbs()).toEqual(["p2", "p3", "p1"]));
    expect(lastEdit(calls).op).toEqual({ op: "move", page_id: "p1", to_index: 2 });
    // Already last: nothing is sent.
    const n = calls.length;
    fireEvent.keyDown(grid(), { key: "ArrowRight", altKey: true });
    fireEvent.keyDown(grid(), { key: "ArrowLeft", altKey: true });
    await waitFor(() => expect(thumbs()).toEqual(["p2", "p1", "p3"]));
    expect(calls.slice(n).filter((c) => c.cmd === "scan_edit").map((c) => c.args.op.to_index)).toEqual([1]);
  });

  it("rotates with R and Shift+R", async () => {
    const calls = await openPanel();
    await cursorTo(2);
    fireEvent.keyDown(grid(), { key: "r" });
    await waitFor(() => expect(lastEdit(calls)?.op).toEqual({ op: "rotate", page_id: "p2", quarter_turns: 1 }));
    fireEvent.keyDown(grid(), { key: "R", shiftKey: true });
    await waitFor(() => expect(lastEdit(calls)?.op).toEqual({ op: "rotate", page_id: "p2", quarter_turns: -1 }));
  });

  it("assigns the selected pages to component N with digit N and turns its checklist line green", async () => {
    const calls = await openPanel({}, [page("p1", null), page("p2", null), page("p3", 0)]);
    const line = () => screen.getAllByTestId("scan-comp")[1];
    expect(line().getAttribute("data-done")).toBe("false");
    expect(line().className).not.toContain("done");
    await cursorTo(1);
    fireEvent.keyDown(grid(), { key: "ArrowRight", shiftKey: true }); // p1 + p2
    fireEvent.keyDown(grid(), { key: "2" });
    await waitFor(() => expect(line().getAttribute("data-done")).toBe("true"));
    expect(lastEdit(calls).op).toEqual({ op: "assign", page_ids: ["p1", "p2"], component: 1 });
    expect(line().className).toContain("done");
    expect(line().textContent).toContain("2 trang");
    expect(screen.getAllByTestId("scan-thumb")[0].textContent).toContain("2 · Giấy khai sinh");
    // The must-digitize line 1 was already green (p3); 0 unassigns.
    expect(screen.getAllByTestId("scan-comp")[0].getAttribute("data-done")).toBe("true");
    fireEvent.keyDown(grid(), { key: "0" });
    await waitFor(() => expect(line().getAttribute("data-done")).toBe("false"));
  });

  it("deletes with one key and says which page", async () => {
    const calls = await openPanel();
    await cursorTo(2);
    fireEvent.keyDown(grid(), { key: "Delete" });
    expect((await screen.findByTestId("scan-toast")).textContent).toBe("Đã xóa trang 2");
    expect(thumbs()).toEqual(["p1", "p3"]);
    expect(lastEdit(calls).op).toEqual({ op: "delete", page_id: "p2" });
    // The cursor moved to the page now at that place.
    expect(screen.getAllByTestId("scan-thumb")[1].className).toContain("cursor");
  });

  it("shows per-page progress while scanning, then the new page", async () => {
    let finish: () => void = () => undefined;
    const s = fakeSession(threePages(), COMPONENTS);
    const calls = await openPanel({
      scan_acquire: (a: any) =>
        new Promise((resolve) => {
          finish = () => resolve((s.handlers.scan_acquire as any)(a));
        }),
    });
    fireEvent.keyDown(window, { key: "F8" });
    await waitFor(() => expect(calls.some((c) => c.cmd === "scan_acquire")).toBe(true));
    expect(calls.find((c) => c.cmd === "scan_acquire")!.args).toEqual({
      session_id: SID,
      source_id: "sane:fujitsu:fi-7160",
      // The first component not yet done (p1 already covers "Tờ khai", p3 "Giấy khai sinh").
      component: 2,
      adf: true,
      duplex: false,
      replace_page: null,
    });
    await emit("scan_progress", { session_id: SID, page: 3, message_vi: "Đang quét trang 3…", done: false });
    await waitFor(() => expect(screen.getByTestId("scan-progress").textContent).toBe("Đang quét trang 3…"));
    // Another session's progress is not shown here.
    await emit("scan_progress", { session_id: "other", page: 9, message_vi: "Đang quét trang 9…", done: false });
    await emit("scan_progress", { session_id: SID, page: 4, message_vi: "", done: false });
    await waitFor(() => expect(screen.getByTestId("scan-progress").textContent).toBe("Đang quét trang 4…"));
    finish();
    await waitFor(() => expect(screen.queryByTestId("scan-progress")).toBeNull());
    // The new page is shown at the end with the cursor on it.
    await waitFor(() => expect(thumbs()).toEqual(["p1", "p2", "p3", "new-4"]));
    expect(screen.getAllByTestId("scan-thumb")[3].className).toContain("cursor");
    expect(screen.getAllByTestId("scan-thumb")[3].textContent).toContain("3 · Giấy tờ khác");
  });

  it("shows a scanner error in Vietnamese and keeps the pages already shown", async () => {
    await openPanel({
      scan_acquire: () => Promise.reject({ code: "scan_jammed", message: "paper jam" }),
    });
    fireEvent.click(screen.getByTestId("scan-go"));
    const err = await screen.findByTestId("scan-error");
    expect(err.getAttribute("data-code")).toBe("scan_jammed");
    expect(err.textContent).toContain("Kẹt giấy");
    expect(thumbs()).toEqual(["p1", "p2", "p3"]);
    expect(scanError({ code: "scan_no_paper", message: "x" }).message).toContain("Khay nạp giấy trống");
    expect(scanError({ code: "other", message: "Thông điệp gốc" }).message).toBe("Thông điệp gốc");
  });

  it("shows the pages scanned before the feeder ran empty", async () => {
    const s = fakeSession(threePages(), COMPONENTS);
    await openPanel({
      scan_open: s.handlers.scan_open,
      scan_acquire: (a: any) => {
        (s.handlers.scan_acquire as any)(a); // one page made it into the session
        return Promise.reject({ code: "scan_no_paper", message: "feeder empty" });
      },
    });
    fireEvent.keyDown(window, { key: "F8" });
    const err = await screen.findByTestId("scan-error");
    expect(err.getAttribute("data-code")).toBe("scan_no_paper");
    expect(err.textContent).toContain("Khay nạp giấy trống");
    await waitFor(() => expect(thumbs()).toEqual(["p1", "p2", "p3", "new-4"]));
  });

  it("rescans the page under the cursor in place (replace_page, same component)", async () => {
    const calls = await openPanel();
    await cursorTo(3);
    fireEvent.keyDown(window, { key: "F8", shiftKey: true });
    await waitFor(() => expect(calls.some((c) => c.cmd === "scan_acquire")).toBe(true));
    const a = calls.find((c) => c.cmd === "scan_acquire")!.args;
    expect(a.replace_page).toBe("p3");
    expect(a.component).toBe(1);
    expect(a.adf).toBe(false);
  });

  it("reuses an earlier document for a component and shows its date", async () => {
    const calls = await openPanel();
    fireEvent.click(screen.getByText("Dùng lại"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "scan_reuse")?.args).toEqual({ session_id: SID, component: 1, document_id: "doc-1" }),
    );
    await waitFor(() => expect(screen.getAllByTestId("scan-comp")[1].textContent).toContain("Dùng lại bản số hóa ngày 01/01/2026"));
  });
});

// ------------------------------------------------------------------ intake screen and list

const citizen: CurrentCitizenView = {
  identification_id: "0190b5a0-0000-7000-8000-00000000abcd",
  source: "chip",
  verified: true,
  full_name: "Trần Thị Mẫu",
  id_number: "099190000002",
};

const PROC: ProcedureItem = {
  code: "1.001193",
  name: "Đăng ký khai sinh",
  field: "Hộ tịch",
  agency: "UBND cấp xã",
  working_days: 0,
  fee_vnd: 0,
  favourite: false,
  recent: false,
};

const FORM: HoSoFormView = {
  procedure: PROC,
  title: "Tờ khai đăng ký khai sinh",
  citizen,
  fields: [],
  components: [
    { name: "Tờ khai", form: "original", count: 1, received: true, must_digitize: true, optional: false },
    { name: "Giấy khai sinh", form: "copy", count: 1, received: true, must_digitize: false, optional: false },
  ],
  received_at: "2026-11-24 09:00",
  due_at: "2026-11-24 16:00",
  due_at_vi: "16 giờ 00 phút, ngày 24/11/2026",
  time_allowed_vi: "Trong ngày",
};

const SAVED: HoSoSummary = {
  ma_ho_so: "000.00.19.H12-261124-0002",
  procedure_code: PROC.code,
  procedure_name: PROC.name,
  status: "received",
  status_label_vi: "Đã tiếp nhận",
  received_at: "2026-11-24 09:00",
  due_at: "2026-11-24 16:00",
  paused: false,
  applicant_name: citizen.full_name,
  id_number: citizen.id_number,
  identity_method: "chip",
  identity_verified: true,
  next_statuses: [],
  form_issues: [],
};

async function openIntake(pages: ScanPageView[]) {
  const s = fakeSession(pages, [comp(0, "Tờ khai", true), comp(1, "Giấy khai sinh", false)]);
  const calls = backend({
    ...s.handlers,
    hoso_current_citizen: () => citizen,
    hoso_procedures: () => [PROC],
    hoso_form: () => FORM,
    hoso_create: () => SAVED,
    hoso_receipt: (a: { ma_ho_so: string }) => ({
      ma_ho_so: a.ma_ho_so,
      pdf_path: `/data/receipts/${a.ma_ho_so}.pdf`,
      printed: false,
      job: null,
      print_error: null,
    }),
  });
  render(<HoSoIntakeScreen onDone={() => undefined} />);
  await waitFor(() => expect(screen.getAllByTestId("proc-item")).toHaveLength(1));
  fireEvent.keyDown(screen.getByTestId("proc-search"), { key: "Enter" });
  await screen.findByTestId("hoso-form");
  await screen.findByTestId("scan-grid");
  await waitFor(() => expect(screen.queryAllByTestId("scan-thumb")).toHaveLength(pages.length));
  return calls;
}

describe("scan panel on the intake screen", () => {
  it("colours the form's checklist and commits the session with the saved mã hồ sơ", async () => {
    const calls = await openIntake([page("p1", 0), page("p2", 0)]);
    const lines = screen.getAllByTestId("checklist-line");
    await waitFor(() => expect(lines[0].getAttribute("data-done")).toBe("true"));
    expect(lines[0].textContent).toContain("Đã số hóa 2 trang");
    expect(lines[1].getAttribute("data-done")).toBe("false");
    fireEvent.keyDown(window, { key: "F9" });
    expect((await screen.findByTestId("ma-ho-so")).textContent).toBe(SAVED.ma_ho_so);
    await waitFor(() => expect(calls.some((c) => c.cmd === "scan_commit")).toBe(true));
    const cmds = calls.map((c) => c.cmd);
    expect(cmds.indexOf("scan_commit")).toBeGreaterThan(cmds.indexOf("hoso_create"));
    expect(calls.find((c) => c.cmd === "scan_commit")!.args).toEqual({ session_id: SID, ma_ho_so: SAVED.ma_ho_so });
    const states = await screen.findByTestId("scan-states");
    expect(states.textContent).toContain("Tờ khai: Đã ký số (2 trang)");
  });

  it("warns once when a must-digitize component has no pages, then saves anyway", async () => {
    const calls = await openIntake([page("p1", 1)]);
    fireEvent.keyDown(window, { key: "F9" });
    const err = await screen.findByTestId("error");
    expect(err.getAttribute("data-code")).toBe("digitize_missing");
    expect(err.textContent).toContain("Thành phần “Tờ khai” chưa được số hóa");
    expect(calls.some((c) => c.cmd === "hoso_create")).toBe(false);
    fireEvent.keyDown(window, { key: "F9" });
    expect((await screen.findByTestId("ma-ho-so")).textContent).toBe(SAVED.ma_ho_so);
    await waitFor(() => expect(calls.some((c) => c.cmd === "scan_commit")).toBe(true));
  });

  it("does not save while a scanned page belongs to no component", async () => {
    const calls = await openIntake([page("p1", 0), page("p2", null)]);
    fireEvent.keyDown(window, { key: "F9" });
    const err = await screen.findByTestId("error");
    expect(err.getAttribute("data-code")).toBe("digitize_unassigned_pages");
    expect(err.textContent).toContain("Còn 1 trang quét chưa gán");
    expect(calls.some((c) => c.cmd === "hoso_create")).toBe(false);
  });

  it("drops an empty draft instead of committing it", async () => {
    const calls = await openIntake([]);
    fireEvent.keyDown(window, { key: "F9" });
    await screen.findByTestId("error"); // "Tờ khai" must be digitized: asks once
    fireEvent.keyDown(window, { key: "F9" });
    await screen.findByTestId("ma-ho-so");
    await waitFor(() => expect(calls.find((c) => c.cmd === "scan_discard")?.args).toEqual({ session_id: SID }));
    expect(calls.some((c) => c.cmd === "scan_commit")).toBe(false);
    expect(screen.queryByTestId("scan-states")).toBeNull();
  });

  it("still saves when digitizing fails, and says so", async () => {
    const calls = await openIntake([page("p1", 0)]);
    mockIPC(
      (cmd, payload) => {
        const args = (payload as { args?: unknown } | undefined)?.args;
        calls.push({ cmd, args });
        if (cmd === "hoso_create") return SAVED;
        if (cmd === "hoso_receipt")
          return { ma_ho_so: SAVED.ma_ho_so, pdf_path: "/x.pdf", printed: false, job: null, print_error: null };
        if (cmd === "scan_commit") return Promise.reject({ code: "digitize_disk_full", message: "disk full" });
        return Promise.reject({ code: "internal", message: cmd });
      },
      { shouldMockEvents: true },
    );
    fireEvent.keyDown(window, { key: "F9" });
    expect((await screen.findByTestId("ma-ho-so")).textContent).toBe(SAVED.ma_ho_so);
    const err = await screen.findByTestId("scan-error");
    expect(err.textContent).toContain("Hồ sơ đã lưu");
    expect(err.textContent).toContain("Ổ đĩa đã đầy");
  });
});

const queue = (over: Partial<DigitizeStatusView> = {}): DigitizeStatusView => ({
  captured: 0,
  processed: 0,
  signed: 0,
  delivered: 0,
  failed: 0,
  signing_configured: false,
  delivery_configured: false,
  last_sync_at: null,
  last_error: null,
  ...over,
});

describe("Số hóa from the list", () => {
  it("shows what waits in the queue and why the last background pass stopped", async () => {
    backend({
      hoso_list: () => [SAVED],
      digitize_status: () =>
        queue({
          processed: 3,
          signed: 1,
          delivered: 7,
          signing_configured: true,
          delivery_configured: true,
          last_sync_at: "2026-11-28T02:00:00Z",
          last_error: { code: "signing_token_pin", message: "Mã PIN của thiết bị ký số không đúng." },
        }),
    });
    render(<HoSoListScreen />);
    const line = await screen.findByTestId("queue-status");
    expect(line.textContent).toContain("3 chờ ký số");
    expect(line.textContent).toContain("1 đã ký, chờ gửi");
    expect(line.textContent).toContain("7 đã gửi");
    const err = screen.getByTestId("queue-error");
    expect(err.getAttribute("data-code")).toBe("signing_token_pin");
    expect(err.textContent).toContain("PIN");
    expect(screen.queryByTestId("queue-local-only")).toBeNull();
  });

  it("says copies stay on this machine while no provincial endpoint is configured", async () => {
    backend({ hoso_list: () => [SAVED], digitize_status: () => queue({ processed: 2 }) });
    render(<HoSoListScreen />);
    expect((await screen.findByTestId("queue-status")).textContent).toContain("2 chờ gửi");
    expect(screen.getByTestId("queue-local-only").textContent).toContain("lưu an toàn trên máy này");
    expect(screen.queryByTestId("queue-error")).toBeNull();
  });

  it("opens the panel for the saved hồ sơ and commits from there", async () => {
    const s = fakeSession([page("p1", 0)], COMPONENTS);
    const calls = backend({ ...s.handlers, hoso_list: () => [SAVED], digitize_status: () => queue() });
    render(<HoSoListScreen />);
    fireEvent.click(await screen.findByTestId("hoso-scan"));
    await screen.findByTestId("scan-panel");
    expect(calls.find((c) => c.cmd === "scan_open")!.args).toEqual({ procedure_code: PROC.code, ma_ho_so: SAVED.ma_ho_so });
    await waitFor(() => expect(screen.getAllByTestId("scan-thumb")).toHaveLength(1));
    fireEvent.click(screen.getByTestId("scan-commit"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "scan_commit")?.args).toEqual({ session_id: SID, ma_ho_so: SAVED.ma_ho_so }),
    );
    await waitFor(() => expect(screen.getAllByTestId("scan-comp")[0].getAttribute("data-state")).toBe("signed"));
  });
});
