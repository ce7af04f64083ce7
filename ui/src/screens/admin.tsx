import { useEffect, useState } from "preact/hooks";
import type { ClerkView, RoleView, SessionView, UiError } from "../bindings";
import { dateTime } from "../format";
import { call, commands } from "../ipc";
import { ErrorBanner, Field, Kbd } from "../widgets";

export function AdminScreen({ me }: { me: SessionView }) {
  const [clerks, setClerks] = useState<ClerkView[]>([]);
  const [error, setError] = useState<UiError | null>(null);
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<RoleView>("clerk");
  const [notice, setNotice] = useState("");

  const load = async () => {
    const r = await call(commands.listClerks());
    if (r.error) setError(r.error);
    else setClerks(r.ok);
  };
  useEffect(() => void load(), []);

  const create = async (e: Event) => {
    e.preventDefault();
    const r = await call(commands.createClerk({ username, display_name: displayName, password, role }));
    if (r.error) {
      setError(r.error);
      return;
    }
    setError(null);
    setNotice(`Đã tạo tài khoản ${r.ok.username}.`);
    setUsername("");
    setDisplayName("");
    setPassword("");
    void load();
  };

  const toggle = async (c: ClerkView) => {
    const r = await call(commands.setClerkActive({ clerk_id: c.id, active: !c.active }));
    if (r.error) setError(r.error);
    else {
      setError(null);
      setNotice(`${r.ok.active ? "Đã kích hoạt" : "Đã vô hiệu hoá"} ${r.ok.username}.`);
      void load();
    }
  };

  return (
    <div class="admin">
      <section>
        <h2>Cán bộ</h2>
        <ErrorBanner error={error} />
        {notice && <div class="banner ok" role="status">{notice}</div>}
        <table class="table" data-testid="clerk-table">
          <thead>
            <tr>
              <th scope="col">Tên đăng nhập</th>
              <th scope="col">Họ và tên</th>
              <th scope="col">Vai trò</th>
              <th scope="col">Trạng thái</th>
              <th scope="col">Tạo lúc</th>
              <th scope="col"><span class="sr-only">Thao tác</span></th>
            </tr>
          </thead>
          <tbody>
            {clerks.map((c) => (
              <tr key={c.id}>
                <td class="mono">{c.username}</td>
                <td>{c.display_name}</td>
                <td>{c.role === "admin" ? "Quản trị" : "Cán bộ"}</td>
                <td>
                  {c.active ? <span class="pill ok">Hoạt động</span> : <span class="pill bad">Vô hiệu</span>}
                  {c.locked_until && <span class="pill warn">Khoá đến {dateTime(c.locked_until)}</span>}
                </td>
                <td>{dateTime(c.created_at)}</td>
                <td>
                  {c.id !== me.clerk_id && (
                    <button class="secondary" onClick={() => void toggle(c)}>
                      {c.active ? "Vô hiệu hoá" : "Kích hoạt"}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <form class="panel" onSubmit={create} data-testid="create-clerk">
        <h2>Thêm cán bộ</h2>
        <Field id="clerk-username" label="Tên đăng nhập" value={username} onInput={setUsername} />
        <Field id="clerk-display" label="Họ và tên" value={displayName} onInput={setDisplayName} />
        <Field id="clerk-password" label="Mật khẩu ban đầu" type="password" value={password} onInput={setPassword}
          hint="Ít nhất 8 ký tự" autoComplete="new-password" />
        <div class="field">
          <label for="clerk-role">Vai trò</label>
          <select id="clerk-role" value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as RoleView)}>
            <option value="clerk">Cán bộ tiếp nhận</option>
            <option value="admin">Quản trị viên</option>
          </select>
        </div>
        <button class="primary" type="submit">
          Thêm <Kbd>Enter</Kbd>
        </button>
      </form>
    </div>
  );
}
