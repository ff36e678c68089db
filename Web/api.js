// The engine's REST API and event stream for the agent page and the wallboard (ES module).
// The bearer token lives in sessionStorage: it is gone when the tab closes.

const TOKEN_KEY = "ccengine.token";

export function token() { return sessionStorage.getItem(TOKEN_KEY); }
export function setToken(t) { t ? sessionStorage.setItem(TOKEN_KEY, t) : sessionStorage.removeItem(TOKEN_KEY); }

/** Calls the API; resolves to the JSON body, rejects with the problem details' text. */
export async function api(method, path, body) {
  const headers = { "Authorization": "Bearer " + token() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(data.detail || (r.status + " " + r.statusText));
  return data;
}

/**
 * Follows /v1/events: `onEvent(event)` for each event, `onResync()` when the stream says what
 * was missed cannot be replayed (read the REST snapshot again). Reconnects with the last
 * sequence number seen, so nothing is lost across a dropped connection.
 */
export function follow(onEvent, onResync, onState) {
  let last = null;
  let stopped = false;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const after = last === null ? "" : "&after=" + last;
    const ws = new WebSocket(`${scheme}//${location.host}/v1/events?access_token=${encodeURIComponent(token())}${after}`);
    ws.onopen = () => onState && onState(true);
    ws.onmessage = (m) => {
      const e = JSON.parse(m.data);
      if (e.type === "hello") { last = e.last_seq; return; }
      if (e.type === "resync") { last = e.last_seq; onResync(); return; }
      last = e.seq;
      onEvent(e);
    };
    ws.onclose = () => { onState && onState(false); if (!stopped) setTimeout(connect, 1000); };
  }
  connect();
  return () => { stopped = true; };
}

export function seconds(s) {
  s = Math.max(0, Math.round(s));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}:${String(s % 60).padStart(2, "0")}` : `${s}s`;
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}
