// The only module that talks to Rust. Commands come typed from bindings.ts; every rejection is
// normalised to a UiError so screens can show `message` and branch on `code`.
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { commands, type AppEvents, type UiError } from "./bindings";

export { commands };

export function asUiError(e: unknown): UiError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown };
    return { code: String(o.code), message: String(o.message) };
  }
  return {
    code: "internal",
    message: "Lỗi không mong muốn. Thử lại; nếu vẫn lỗi, báo bộ phận kỹ thuật.",
  };
}

/** Runs a command; resolves to `{ ok }` or `{ error }` instead of throwing. */
export async function call<T>(p: Promise<T>): Promise<{ ok: T; error?: undefined } | { ok?: undefined; error: UiError }> {
  try {
    return { ok: await p };
  } catch (e) {
    return { error: asUiError(e) };
  }
}

export function on<K extends keyof AppEvents>(name: K, f: (payload: AppEvents[K]) => void): Promise<UnlistenFn> {
  return listen<AppEvents[K]>(name, (e) => f(e.payload));
}
