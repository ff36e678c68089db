// The supervisor wallboard: every queue live (waiting, longest wait, service level today, agents
// by state) and the agents' grid, from the REST snapshot and then /v1/events within a second;
// a supervisor can release or log out an agent.
import { api, follow, token, setToken, seconds, el } from "/api.js";

const $ = (id) => document.getElementById(id);
const queues = new Map();   // name -> queue as the API gives it, kept current by queue.figures
let agents = [];
let reasons = [];
let skew = 0;               // server time - our time, from event timestamps

async function signIn() {
  $("signin-error").textContent = "";
  setToken($("token").value.trim());
  try { await loadAll(); } catch (e) { setToken(null); $("signin-error").textContent = e.message; return; }
  $("signin-panel").classList.add("hidden");
  $("queues").classList.remove("hidden");
  $("agents-panel").classList.remove("hidden");
  reasons = await api("GET", "/v1/release-reasons");
  follow(onEvent, loadAll, (up) => { $("link").textContent = up ? "● live" : "reconnecting…"; });
  setInterval(render, 1000);
}

async function loadAll() {
  for (const q of await api("GET", "/v1/queues")) queues.set(q.name, { ...q, oldest: q.waiting > 0 ? Date.now() / 1000 - q.longest_wait_seconds : null });
  agents = await api("GET", "/v1/agents");
  render();
}

let pending = null;
function reloadSoon() { if (!pending) pending = setTimeout(async () => { pending = null; await loadAll(); }, 300); }

function onEvent(e) {
  skew = e.time - Date.now() / 1000;
  if (e.type === "queue.figures") {
    const q = queues.get(e.queue) || { name: e.queue, today: {} };
    queues.set(e.queue, { ...q, waiting: e.waiting, agents: e.agents, oldest: e.oldest_waiting_since ?? null });
    render();
  } else if (e.type === "agent.state" || e.type === "call.ended") {
    reloadSoon();
  }
}

function figure(value, label, alert = false) {
  return el("div", { class: "figure" }, el("div", { class: "value" + (alert ? " alert" : "") }, String(value)), el("div", { class: "label" }, label));
}

function render() {
  const now = Date.now() / 1000 + skew;
  $("clock").textContent = new Date(now * 1000).toLocaleTimeString();
  $("queues").replaceChildren(...[...queues.values()].map((q) => {
    const longest = q.oldest ? now - q.oldest : 0;
    const sl = q.today && q.today.service_level != null ? Math.round(q.today.service_level * 100) + "%" : "–";
    const a = q.agents || {};
    const card = el("div", { class: "queue", id: "queue-" + q.name },
      el("h3", {}, q.name),
      el("div", { class: "figures" },
        figure(q.waiting ?? 0, "waiting", (q.waiting ?? 0) > 0),
        figure(seconds(longest), "longest wait", longest > (q.today?.service_level_seconds ?? 20)),
        figure(sl, `SL ${q.today?.service_level_seconds ?? 20}s today`)),
      el("p", { class: "muted" }, `available ${a.available ?? 0} · on call ${a.oncall ?? 0} · ringing ${a.ringing ?? 0} · wrap-up ${a.wrapup ?? 0} · released ${a.released ?? 0} · offline ${a.offline ?? 0}`));
    card.querySelector(".figure .value").setAttribute("data-waiting", q.name);
    return card;
  }));
  $("agents").replaceChildren(...agents.map((a) => {
    const release = el("button", { "data-release": a.login, onclick: () => act(a.login, { state: "released", reason: reasons[0]?.id ?? "break", label: reasons[0]?.label ?? "Break" }) }, "Release");
    const logout = el("button", { "data-logout": a.login, onclick: () => act(a.login, { state: "logged-out" }) }, "Log out");
    release.disabled = a.state === "offline" || a.state === "released";
    logout.disabled = a.state === "offline";
    return el("tr", { "data-agent": a.login },
      el("td", {}, a.login),
      el("td", { class: "state-cell" }, el("span", { class: "dot " + (a.state === "offline" ? "off" : "on") }), a.state + (a.release_reason ? ` (${a.release_reason.label})` : "")),
      el("td", {}, seconds(now - a.since)),
      el("td", { class: "muted" }, a.current_call ?? ""),
      el("td", {}, String(a.calls_today)),
      el("td", {}, el("div", { class: "row" }, release, logout)));
  }));
}

async function act(login, body) {
  $("action-error").textContent = "";
  try { await api("PUT", `/v1/agents/${encodeURIComponent(login)}/state`, body); reloadSoon(); } catch (e) { $("action-error").textContent = e.message; }
}

$("signin").addEventListener("click", signIn);
$("token").addEventListener("keydown", (e) => { if (e.key === "Enter") signIn(); });
if (token()) { $("token").value = token(); signIn(); }
