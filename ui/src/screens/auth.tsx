import { useState } from "preact/hooks";
import type { SessionView, UiError } from "../bindings";
import { call, commands } from "../ipc";
import { ErrorBanner, Field, Kbd } from "../widgets";

export function SetupScreen({ onDone }: { onDone: (s: SessionView) => void }) {
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (password !== confirm) {
      setError({ code: "invalid_input", message: "Hai lần nhập mật khẩu không khớp. Nhập lại." });
      return;
    }
    setBusy(true);
    const r = await call(commands.createFirstAdmin({ username, display_name: displayName, password }));
    setBusy(false);
    if (r.error) setError(r.error);
    else onDone(r.ok);
  };

  return (
    <main class="center-screen">
      <form class="panel narrow" onSubmit={submit} data-testid="setup-form">
        <h1>Thiết lập lần đầu</h1>
        <p class="lead">Tạo tài khoản quản trị viên đầu tiên cho máy này.</p>
        <ErrorBanner error={error} />
        <Field id="setup-username" label="Tên đăng nhập" value={username} onInput={setUsername} autoFocus
          hint="Chữ thường không dấu, số, dấu chấm; ví dụ: quantri" />
        <Field id="setup-display" label="Họ và tên" value={displayName} onInput={setDisplayName} />
        <Field id="setup-password" label="Mật khẩu" type="password" value={password} onInput={setPassword}
          hint="Ít nhất 8 ký tự" autoComplete="new-password" />
        <Field id="setup-confirm" label="Nhập lại mật khẩu" type="password" value={confirm} onInput={setConfirm}
          autoComplete="new-password" />
        <button class="primary big" type="submit" disabled={busy}>
          Tạo tài khoản và đăng nhập <Kbd>Enter</Kbd>
        </button>
      </form>
    </main>
  );
}

export function SignInScreen({ onDone }: { onDone: (s: SessionView) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const r = await call(commands.signIn({ username, password }));
    setBusy(false);
    if (r.error) {
      setError(r.error);
      setPassword("");
    } else onDone(r.ok);
  };

  return (
    <main class="center-screen">
      <form class="panel narrow" onSubmit={submit} data-testid="signin-form">
        <h1>Đăng nhập</h1>
        <p class="lead">Một Cửa Desk — quầy tiếp nhận</p>
        <ErrorBanner error={error} />
        <Field id="signin-username" label="Tên đăng nhập" value={username} onInput={setUsername} autoFocus
          autoComplete="username" />
        <Field id="signin-password" label="Mật khẩu" type="password" value={password} onInput={setPassword}
          autoComplete="current-password" />
        <button class="primary big" type="submit" disabled={busy}>
          Đăng nhập <Kbd>Enter</Kbd>
        </button>
      </form>
    </main>
  );
}

export function LockScreen(props: {
  session: SessionView;
  onUnlocked: (s: SessionView | null) => void;
  onSignOut: () => void;
}) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<UiError | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const r = await call(commands.unlock({ password }));
    setPassword("");
    if (r.ok) props.onUnlocked(r.ok);
    else if (r.error.code === "account_locked" || r.error.code === "not_signed_in") {
      // Too many failures sign the clerk out; show the sign-in screen with the reason.
      setError(r.error);
      setTimeout(() => props.onUnlocked(null), 2500);
    } else setError(r.error);
  };

  return (
    <main class="center-screen locked">
      <form class="panel narrow" onSubmit={submit} data-testid="lock-form">
        <h1>Màn hình đã khoá</h1>
        <p class="lead">
          Phiên của <strong>{props.session.display_name}</strong> đang khoá. Nhập mật khẩu để tiếp tục.
          (Máy tự khoá sau {props.session.idle_lock_minutes} phút không thao tác.)
        </p>
        <ErrorBanner error={error} />
        <Field id="unlock-password" label="Mật khẩu" type="password" value={password} onInput={setPassword}
          autoFocus autoComplete="current-password" />
        <div class="row">
          <button class="primary big" type="submit">
            Mở khoá <Kbd>Enter</Kbd>
          </button>
          <button class="secondary" type="button" onClick={props.onSignOut}>
            Đăng xuất (người khác dùng máy)
          </button>
        </div>
      </form>
    </main>
  );
}
