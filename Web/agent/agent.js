// The agent page: sign in with the agent's token, see and change the agent's state, see the
// call offered and in progress, and save wrap-up notes. Everything through the REST API and
// /v1/events (an agent token sees its own agent and calls only).
import { api, follow, token, setToken, seconds, el } from "/api.js";

const $ = (id) => document.getElementById(id);
let me = null;          // this agent's login
let call = null;        // the call shown: {id, caller, queue, enqueued_at, answered_at}

async function signIn() {
  $("signin-error").textContent = "";
  setToken($("token").value.trim());
  try {
    const agents = await api("GET", "/v1/agents");
    if (agents.length !== 1) throw new Error("use an agent's token (this one sees " + agents.length + " agents)");
    me = agents[0].login;
  } catch (e) { setToken(null); $("signin-error").textContent = e.message; return; }
  $("who").textContent = me;
  $("signin-panel").classList.add("hidden");
  $("status-panel").classList.remove("hidden");
  const reasons = await api("GET", "/v1/release-reasons");
  $("reason").replaceChildren(...reasons.map((r) => el("option", { value: r.id }, r.label)));
  await refresh();
  follow(onEvent, refresh, (up) => { $("link").textContent = up ? "live" : "reconnecting…"; });
}

/** The agent's state, and the call it is on or was offered, from the REST snapshot. */
async function refresh() {
  const a = await api("GET", "/v1/agents/" + encodeURIComponent(me));
  showState(a);
  if (a.current_call) await showCall(a.current_call, a.state);
  else if (a.state !== "wrapup") hideCall();
}

function showState(a) {
  $("state").textContent = a.state + (a.release_reason ? " (" + a.release_reason.label + ")" : "");
  $("state").className = "state " + a.state;
  $("since").textContent = "since " + new Date(a.since * 1000).toLocaleTimeString();
  $("pending").textContent = a.pending_release ? "Release (" + a.pending_release.label + ") after this call" : "";
  $("available").disabled = a.state === "available" || a.state === "ringing" || (a.state === "oncall" && !a.pending_release);
  $("wrapup-panel").classList.toggle("hidden", a.state !== "wrapup");
}

async function showCall(id, state) {
  try {
    const c = await api("GET", "/v1/calls/" + encodeURIComponent(id));
    call = { id, caller: c.caller.name ? `${c.caller.name} <${c.caller.id}>` : c.caller.id, queue: c.queue, waited: c.waited_seconds };
  } catch { if (!call || call.id !== id) return; }  // the call ended meanwhile: keep what we had
  $("call-panel").classList.remove("hidden");
  $("call-title").textContent = state === "ringing" ? "Offered call" : state === "wrapup" ? "Last call" : "Current call";
  $("caller").textContent = call.caller;
  $("queue").textContent = call.queue;
  $("waited").textContent = seconds(call.waited);
  $("call-id").textContent = call.id;
}

function hideCall() { call = null; $("call-panel").classList.add("hidden"); }

async function onEvent(e) {
  if (e.type === "call.offered") await showCall(e.call, "ringing");
  if (e.type === "call.answered" && call && call.id === e.call) { call.waited = e.hold_seconds; await showCall(e.call, "oncall"); }
  if (e.type === "agent.state") await refresh();
}

async function act(method, path, body) {
  $("action-error").textContent = "";
  try { await api(method, path, body); await refresh(); } catch (e) { $("action-error").textContent = e.message; }
}

$("signin").addEventListener("click", signIn);
$("token").addEventListener("keydown", (e) => { if (e.key === "Enter") signIn(); });
$("available").addEventListener("click", () => act("PUT", `/v1/agents/${me}/state`, { state: "available" }));
$("release").addEventListener("click", () => {
  const r = $("reason");
  act("PUT", `/v1/agents/${me}/state`, { state: "released", reason: r.value, label: r.options[r.selectedIndex].text });
});
$("logout").addEventListener("click", () => act("PUT", `/v1/agents/${me}/state`, { state: "logged-out" }));
$("wrapup-done").addEventListener("click", async () => {
  await act("POST", `/v1/agents/${me}/wrapup`, { notes: $("notes").value });
  $("notes").value = "";
  hideCall();
});
if (token()) { $("token").value = token(); signIn(); }
