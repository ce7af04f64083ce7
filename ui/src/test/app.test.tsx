import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { describe, expect, it } from "vitest";
import { App } from "../app";
import type { CardUiEvent } from "../bindings";
import { admin, identification, status } from "./fixtures";

type Calls = { cmd: string; args: unknown }[];

/** Mocks the Rust side: `handlers[cmd]` answers, unknown commands reject like Rust would. */
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

const signedIn = {
  app_status: () => status({ session: admin }),
  list_readers: () => [{ name: "Đầu đọc mô phỏng", card_present: false, simulated: true }],
  demo_cards: () => [{ index: 0, label: "Thẻ mẫu 1", needs_can: false }],
};

const type = (label: RegExp | string, value: string) =>
  fireEvent.input(screen.getByLabelText(label), { target: { value } });

const card = (e: CardUiEvent) => emit("card", e);

describe("first run and sign-in", () => {
  it("creates the first administrator and lands on the counter", async () => {
    const calls = backend({
      app_status: () => status({ needs_setup: true }),
      list_readers: () => [],
      demo_cards: () => [],
      create_first_admin: () => admin,
    });
    render(<App />);
    await screen.findByText("Thiết lập lần đầu");
    type("Tên đăng nhập", "quantri");
    type("Họ và tên", "Lê Quản Trị");
    type("Mật khẩu", "mat-khau-dai");
    type("Nhập lại mật khẩu", "mat-khau-dai");
    fireEvent.submit(screen.getByTestId("setup-form"));
    await screen.findByTestId("clerk-name");
    expect(calls.find((c) => c.cmd === "create_first_admin")?.args).toEqual({
      username: "quantri",
      display_name: "Lê Quản Trị",
      password: "mat-khau-dai",
    });
    expect(screen.getByText("Chưa có đầu đọc thẻ")).toBeTruthy();
  });

  it("refuses mismatched passwords without calling Rust", async () => {
    const calls = backend({ app_status: () => status({ needs_setup: true }), list_readers: () => [] });
    render(<App />);
    await screen.findByText("Thiết lập lần đầu");
    type("Mật khẩu", "mat-khau-dai");
    type("Nhập lại mật khẩu", "khac-han");
    fireEvent.submit(screen.getByTestId("setup-form"));
    expect((await screen.findByTestId("error")).textContent).toContain("không khớp");
    expect(calls.some((c) => c.cmd === "create_first_admin")).toBe(false);
  });

  it("shows the Vietnamese message of a failed sign-in", async () => {
    backend({
      app_status: () => status(),
      list_readers: () => [],
      sign_in: () =>
        Promise.reject({ code: "invalid_credentials", message: "Sai tên đăng nhập hoặc mật khẩu. Kiểm tra lại." }),
    });
    render(<App />);
    await screen.findByText("Đăng nhập", { selector: "h1" });
    type("Tên đăng nhập", "quantri");
    type("Mật khẩu", "sai");
    fireEvent.submit(screen.getByTestId("signin-form"));
    const err = await screen.findByTestId("error");
    expect(err.dataset.code).toBe("invalid_credentials");
    expect(err.textContent).toContain("Sai tên đăng nhập");
  });
});

describe("counter", () => {
  it("labels the simulated reader and prompts for the card", async () => {
    backend(signedIn);
    render(<App />);
    expect((await screen.findByTestId("prompt")).textContent).toContain("Đặt thẻ CCCD lên đầu đọc");
    expect(screen.getAllByText("Đầu đọc mô phỏng").length).toBeGreaterThan(0);
    expect(screen.getByTestId("demo-panel")).toBeTruthy();
  });

  it("shows read progress, then the verified citizen", async () => {
    backend(signedIn);
    render(<App />);
    await screen.findByTestId("prompt");
    await card({ kind: "card_present", reader: "Đầu đọc mô phỏng" });
    await card({ kind: "progress", reader: "Đầu đọc mô phỏng", phase: "read_data" });
    const progress = await screen.findByTestId("progress");
    expect(progress.querySelector("li.now")?.textContent).toContain("Đọc thông tin");
    expect(progress.querySelectorAll("li.done").length).toBe(2);
    await card({ kind: "identified", identification: identification(true), received_at_ms: Date.now() });
    expect((await screen.findByTestId("full-name")).textContent).toContain("Nguyễn Văn An");
    expect(screen.getByTestId("verdict").dataset.verified).toBe("true");
    expect(screen.getByText("12/05/1990")).toBeTruthy();
    expect(screen.getByText("Không thời hạn")).toBeTruthy();
    expect(screen.queryByTestId("progress")).toBeNull();
  });

  it("explains in plain words why a card is not verified", async () => {
    backend(signedIn);
    render(<App />);
    await screen.findByTestId("prompt");
    await card({ kind: "identified", identification: identification(false), received_at_ms: Date.now() });
    expect((await screen.findByTestId("verdict")).dataset.verified).toBe("false");
    expect(screen.getByTestId("reasons").textContent).toContain("không khớp chữ ký số");
    expect(screen.getByTestId("badge-Chữ ký số (dữ liệu nguyên vẹn)").dataset.status).toBe("failed");
  });

  it("asks for the CAN only when needed and accepts exactly six digits", async () => {
    const calls = backend({ ...signedIn, read_card: () => null });
    render(<App />);
    await screen.findByTestId("prompt");
    expect(screen.queryByTestId("can-form")).toBeNull();
    await card({ kind: "card_present", reader: "Đầu đọc mô phỏng" });
    await card({ kind: "can_required", reader: "Đầu đọc mô phỏng" });
    const input = (await screen.findByLabelText(/Nhập số CAN/)) as HTMLInputElement;
    fireEvent.input(input, { target: { value: "12a45" } });
    fireEvent.submit(screen.getByTestId("can-form"));
    expect((await screen.findByTestId("error")).textContent).toContain("đúng 6 chữ số");
    expect(calls.some((c) => c.cmd === "read_card")).toBe(false);
    fireEvent.input(input, { target: { value: "123456" } });
    fireEvent.submit(screen.getByTestId("can-form"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "read_card")?.args).toEqual({ can: "123456", reader: "Đầu đọc mô phỏng" }));
  });

  it("shows an unplugged reader", async () => {
    backend(signedIn);
    render(<App />);
    await screen.findByTestId("prompt");
    await card({ kind: "reader_removed", reader: "Đầu đọc mô phỏng" });
    expect((await screen.findByTestId("reader-status")).dataset.state).toBe("none");
  });

  it("goes to the lock screen when the session locks", async () => {
    backend({ ...signedIn, unlock: () => admin });
    render(<App />);
    await screen.findByTestId("prompt");
    await emit("session", { ...admin, locked: true });
    await screen.findByText("Màn hình đã khoá");
    type("Mật khẩu", "mat-khau-dai");
    fireEvent.submit(screen.getByTestId("lock-form"));
    await screen.findByTestId("prompt");
  });
});

describe("history", () => {
  it("searches by name and lists the rows", async () => {
    const calls = backend({
      ...signedIn,
      // The counter's day, which differs from the test machine's on purpose.
      today: () => "2031-01-02",
      history: (args: { text: string | null }) =>
        args.text
          ? [
              {
                id: "1",
                at: "2026-11-28T03:04:05.000Z",
                id_number: "099190000001",
                full_name: "Nguyễn Văn An",
                date_of_birth: "1990-05-12",
                method: "chip",
                access: "PACE-CAN",
                verified: true,
                reasons: [],
                clerk_name: "Lê Quản Trị",
                purpose: "Xác minh danh tính tại quầy",
              },
            ]
          : [],
    });
    render(<App />);
    await screen.findByTestId("prompt");
    // F3 opens the history (effects attach after paint, so retry the key until it lands).
    await waitFor(() => {
      fireEvent.keyDown(document.body, { key: "F3" });
      expect(screen.getByTestId("nav-history").getAttribute("aria-current")).toBe("page");
    });
    await screen.findByTestId("history-empty");
    type(/Tìm theo số định danh/, "nguyen van an");
    fireEvent.submit(screen.getByLabelText(/Tìm theo số định danh/).closest("form")!);
    const table = await screen.findByTestId("history-table");
    expect(table.textContent).toContain("Nguyễn Văn An");
    const last = calls.filter((c) => c.cmd === "history").pop();
    expect((last?.args as { text: string }).text).toBe("nguyen van an");
    // The day filter is the counter's day (its time zone), not the browser's.
    expect(last?.args).toMatchObject({ from: "2031-01-02", to: "2031-01-02" });
    expect((screen.getByLabelText("Từ ngày") as HTMLInputElement).value).toBe("2031-01-02");
  });
});
