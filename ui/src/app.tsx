import { useCallback, useEffect, useReducer, useRef, useState } from "preact/hooks";
import type { AppStatus, CardUiEvent, SessionView, UiError } from "./bindings";
import { cardReducer, initialCard } from "./cardState";
import { call, commands, on } from "./ipc";
import { AdminScreen } from "./screens/admin";
import { CounterScreen } from "./screens/counter";
import { HistoryScreen } from "./screens/history";
import { HoSoIntakeScreen } from "./screens/hoso";
import { HoSoListScreen } from "./screens/hosoList";
import { LockScreen, SetupScreen, SignInScreen } from "./screens/auth";
import { ErrorBanner, Kbd } from "./widgets";
import { useWedge } from "./qr/useWedge";

export type Screen = "counter" | "history" | "admin" | "intake" | "hoso";

declare global {
  interface Window {
    /** Measurements read by the end-to-end test. */
    __motcua?: { lastShowMs?: number; interactiveAt?: number };
  }
}

function afterPaint(f: () => void) {
  requestAnimationFrame(() => requestAnimationFrame(f));
}

export function App() {
  const [status, setStatus] = useState<AppStatus | null>(null);
  const [fatal, setFatal] = useState<UiError | null>(null);
  const [screen, setScreen] = useState<Screen>("counter");
  const [card, dispatch] = useReducer(cardReducer, initialCard);
  const lastTouch = useRef(0);

  const session = status?.session ?? null;
  const setSession = useCallback((s: SessionView | null) => {
    setStatus((st) => (st ? { ...st, session: s, needs_setup: st.needs_setup && !s } : st));
  }, []);

  const refresh = useCallback(async () => {
    const r = await call(commands.appStatus());
    if (r.error) setFatal(r.error);
    else setStatus(r.ok);
  }, []);

  const loadReaders = useCallback(async () => {
    const r = await call(commands.listReaders());
    if (r.ok) dispatch({ type: "readers", readers: r.ok });
  }, []);

  useEffect(() => {
    void refresh().then(() => {
      afterPaint(() => {
        window.__motcua = { ...(window.__motcua ?? {}), interactiveAt: performance.now() };
      });
    });
    void loadReaders();
    const subs = [
      on("card", (e: CardUiEvent) => {
        dispatch({ type: "event", event: e });
        if (e.kind === "qr_scanned") setScreen("counter");
        if (e.kind === "identified") {
          setScreen("counter");
          const received = e.received_at_ms;
          afterPaint(() => {
            const ms = Date.now() - received;
            window.__motcua = { ...(window.__motcua ?? {}), lastShowMs: ms };
            dispatch({ type: "shown", ms });
          });
        }
      }),
      on("session", (s) => setSession(s)),
    ];
    return () => {
      // The window may already be gone (tests, reload); nothing to undo then.
      for (const p of subs) p.then((un) => un()).catch(() => undefined);
    };
  }, [refresh, loadReaders, setSession]);

  const signedIn = !!session && !session.locked;
  const toCounter = useCallback(() => setScreen("counter"), []);
  useWedge(signedIn, dispatch, toCounter);

  const lock = useCallback(async () => {
    const r = await call(commands.lock());
    if (r.ok) setSession(r.ok);
  }, [setSession]);

  const signOut = useCallback(async () => {
    await call(commands.signOut());
    dispatch({ type: "clear" });
    setSession(null);
    setScreen("counter");
  }, [setSession]);

  // Activity postpones the idle lock; at most one touch every 20 s.
  useEffect(() => {
    if (!signedIn) return;
    const onActivity = () => {
      const now = Date.now();
      if (now - lastTouch.current < 20_000) return;
      lastTouch.current = now;
      void call(commands.touch()).then((r) => {
        if (r.ok) setSession(r.ok);
        else if (r.error.code === "session_locked" || r.error.code === "not_signed_in") void refresh();
      });
    };
    window.addEventListener("keydown", onActivity, true);
    window.addEventListener("pointerdown", onActivity, true);
    return () => {
      window.removeEventListener("keydown", onActivity, true);
      window.removeEventListener("pointerdown", onActivity, true);
    };
  }, [signedIn, setSession, refresh]);

  // Global shortcuts.
  useEffect(() => {
    if (!signedIn) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "F2") setScreen("counter");
      else if (e.key === "F3") setScreen("history");
      else if (e.key === "F4" && session?.role === "admin") setScreen("admin");
      else if (e.key === "F5") setScreen("hoso");
      else if (e.key === "F7") setScreen("intake");
      else if (e.ctrlKey && (e.key === "l" || e.key === "L")) void lock();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [signedIn, session?.role, lock]);

  if (fatal) {
    return (
      <main class="center-screen">
        <div class="panel narrow">
          <h1>Không khởi động được</h1>
          <ErrorBanner error={fatal} />
          <button class="primary" onClick={() => { setFatal(null); void refresh(); }}>
            Thử lại
          </button>
        </div>
      </main>
    );
  }
  if (!status) {
    return (
      <main class="center-screen" aria-busy="true">
        <p class="lead">Đang khởi động…</p>
      </main>
    );
  }
  if (!session) {
    return status.needs_setup ? (
      <SetupScreen onDone={(s) => { setSession(s); void loadReaders(); }} />
    ) : (
      <SignInScreen onDone={(s) => { setSession(s); void loadReaders(); }} />
    );
  }
  if (session.locked) {
    return <LockScreen session={session} onUnlocked={setSession} onSignOut={signOut} />;
  }

  const nav = (id: Screen, label: string, key: string) => (
    <button
      class={screen === id ? "nav active" : "nav"}
      aria-current={screen === id ? "page" : undefined}
      onClick={() => setScreen(id)}
      data-testid={`nav-${id}`}
    >
      {label} <Kbd>{key}</Kbd>
    </button>
  );

  return (
    <div class="shell">
      <header class="topbar">
        <div class="brand">Một Cửa Desk</div>
        <nav aria-label="Chức năng">
          {nav("counter", "Quầy", "F2")}
          {nav("intake", "Lập hồ sơ", "F7")}
          {nav("hoso", "Hồ sơ", "F5")}
          {nav("history", "Lịch sử", "F3")}
          {session.role === "admin" && nav("admin", "Quản trị", "F4")}
        </nav>
        <div class="who">
          <span class="clerk" data-testid="clerk-name">{session.display_name}</span>
          <button class="ghost" onClick={() => void lock()} data-testid="lock">
            Khoá <Kbd>Ctrl+L</Kbd>
          </button>
          <button class="ghost" onClick={() => void signOut()}>
            Đăng xuất
          </button>
        </div>
      </header>
      <main class="content">
        {screen === "counter" && (
          <CounterScreen
            card={card}
            dispatch={dispatch}
            demo={status.demo}
            session={session}
            onSession={setSession}
          />
        )}
        {screen === "history" && <HistoryScreen />}
        {screen === "intake" && <HoSoIntakeScreen onDone={toCounter} />}
        {screen === "hoso" && <HoSoListScreen />}
        {screen === "admin" && session.role === "admin" && <AdminScreen me={session} />}
      </main>
    </div>
  );
}
