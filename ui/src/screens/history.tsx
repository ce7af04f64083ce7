import { useEffect, useState } from "preact/hooks";
import type { HistoryItem, UiError } from "../bindings";
import { dateTime, dmy, isoDay } from "../format";
import { call, commands } from "../ipc";
import { ErrorBanner, Kbd } from "../widgets";

export function HistoryScreen() {
  // "Today" is the counter's day (the app's configured time zone, Asia/Ho_Chi_Minh by default),
  // not the browser's: on a PC whose clock is in UTC the two differ from 17:00 to midnight UTC,
  // and a browser day would hide every read of the counter's evening/morning.
  const [today, setToday] = useState(() => isoDay(new Date()));
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [text, setText] = useState("");
  const [rows, setRows] = useState<HistoryItem[] | null>(null);
  const [error, setError] = useState<UiError | null>(null);

  const search = async (f = from, t = to, q = text) => {
    const r = await call(commands.history({ from: f || null, to: t || null, text: q.trim() || null }));
    if (r.error) setError(r.error);
    else {
      setError(null);
      setRows(r.ok);
    }
  };

  useEffect(() => {
    void (async () => {
      const r = await call(commands.today());
      const day = r.error ? today : r.ok;
      setToday(day);
      setFrom(day);
      setTo(day);
      await search(day, day);
    })();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div class="history">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <div class="field grow">
          <label for="history-text">Tìm theo số định danh hoặc họ tên (gõ không dấu được)</label>
          <input id="history-text" value={text} autoFocus placeholder="ví dụ: nguyen van an hoặc 0991"
            onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="history-from">Từ ngày</label>
          <input id="history-from" type="date" value={from} onInput={(e) => setFrom((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="history-to">Đến ngày</label>
          <input id="history-to" type="date" value={to} onInput={(e) => setTo((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <button class="primary" type="submit">
          Tìm <Kbd>Enter</Kbd>
        </button>
        <button class="secondary" type="button" onClick={() => { setFrom(today); setTo(today); void search(today, today); }}>
          Hôm nay
        </button>
        <button class="ghost" type="button" onClick={() => { setFrom(""); setTo(""); void search("", ""); }}>
          Mọi ngày
        </button>
      </form>
      <ErrorBanner error={error} />
      {rows && rows.length === 0 && <p class="lead" data-testid="history-empty">Không có lượt đọc thẻ nào khớp.</p>}
      {rows && rows.length > 0 && (
        <table class="table" data-testid="history-table">
          <caption class="sr-only">Các lượt xác minh danh tính</caption>
          <thead>
            <tr>
              <th scope="col">Thời gian</th>
              <th scope="col">Số định danh</th>
              <th scope="col">Họ và tên</th>
              <th scope="col">Ngày sinh</th>
              <th scope="col">Kết quả</th>
              <th scope="col">Cán bộ</th>
              <th scope="col">Mục đích</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>{dateTime(r.at)}</td>
                <td class="mono">{r.id_number}</td>
                <td>{r.full_name}</td>
                <td>{dmy(r.date_of_birth)}</td>
                <td>
                  {r.verified ? (
                    <span class="pill ok">Đã xác thực</span>
                  ) : (
                    <span class="pill bad" title={r.reasons.join("\n")}>Chưa xác thực</span>
                  )}
                </td>
                <td>{r.clerk_name}</td>
                <td>{r.purpose}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
