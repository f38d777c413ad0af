#pragma once
// The dashboard's page (private): one HTML document with its script and style inline, so the
// dashboard needs no files at run time. It opens a WebSocket to ./ws and redraws on every message.

#include <string_view>

namespace aio::http::detail {

inline constexpr std::string_view k_dashboard_page = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>aio dashboard</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.2em; color: #222; background: #fafafa; }
  h1 { font-size: 1.3em; margin: 0 0 .3em; }
  h2 { font-size: 1.05em; margin: 1.2em 0 .4em; }
  #status { display: inline-block; padding: .1em .6em; border-radius: .8em; background: #eee; }
  #status.connected { background: #cfc; }
  #status.closed { background: #fcc; }
  .note { color: #666; }
  .cards { display: flex; gap: .8em; flex-wrap: wrap; }
  .card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .5em .9em; min-width: 9em; }
  .card b { display: block; font-size: 1.5em; }
  svg { background: #fff; border: 1px solid #ddd; border-radius: 6px; }
  ul.tree, ul.tree ul { list-style: none; padding-left: 1.2em; margin: 0; }
  ul.tree { padding-left: 0; }
  li.task > span.name { font-weight: 600; }
  li.task .fn { color: #555; font-family: ui-monospace, monospace; font-size: .9em; }
  li.task .via { color: #a50; font-size: .85em; }
  table { border-collapse: collapse; background: #fff; }
  td, th { border: 1px solid #ddd; padding: .2em .6em; text-align: right; }
  td:first-child, td:nth-child(2), th { text-align: left; }
</style>
</head>
<body>
<h1>aio dashboard <span id="status">connecting</span></h1>
<div class="note" id="where"></div>
<div class="cards">
  <div class="card">loop lag<b id="lag">-</b><span class="note" id="lag99"></span></div>
  <div class="card">tasks/s<b id="rate">-</b></div>
  <div class="card">live tasks<b id="live">-</b></div>
  <div class="card">ready queue<b id="ready">-</b></div>
  <div class="card">timers<b id="timers">-</b></div>
  <div class="card">open fds<b id="fds">-</b></div>
</div>
<h2>Loop lag, last minute (ms)</h2>
<svg id="lagchart" width="600" height="80" viewBox="0 0 600 80" preserveAspectRatio="none"><polyline id="lagline" fill="none" stroke="#36c" stroke-width="1.5" points=""/></svg>
<h2>Tasks, with the tasks each one awaits beneath it <label class="note"><input type="checkbox" id="own"> show aio's own</label></h2>
<ul class="tree" id="tasks"></ul>
<h2>Slowest routes</h2>
<table><thead><tr><th>route</th><th>method</th><th>requests</th><th>mean ms</th><th>p99 &le; ms</th><th>5xx</th></tr></thead><tbody id="routes"></tbody></table>
<script>
"use strict";
const lagHistory = [];
let previous = null;
let latest = null;
function text(tag, content, cls) {
  const e = document.createElement(tag);
  e.textContent = content;
  if (cls) e.className = cls;
  return e;
}
function ms(seconds) { return (seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1); }
function renderTasks(data) {
  const own = document.getElementById("own").checked;
  const shown = data.tasks.filter(t => own || !t.name.startsWith("aio."));
  const byId = new Map(shown.map(t => [t.id, t]));
  // children[w]: the tasks w awaits (w is in their awaited_by).
  const children = new Map();
  const awaited = new Set();
  for (const t of shown) {
    for (const w of t.awaited_by) {
      if (!byId.has(w.id)) continue;
      if (!children.has(w.id)) children.set(w.id, []);
      children.get(w.id).push({ task: t, via: w.via });
      awaited.add(t.id);
    }
  }
  const root = document.getElementById("tasks");
  root.replaceChildren();
  function add(parent, t, via, path) {
    const li = document.createElement("li");
    li.className = "task";
    li.dataset.name = t.name;
    li.dataset.id = t.id;
    li.append(text("span", t.name, "name"));
    if (via) li.append(" ", text("span", "awaited via " + via, "via"));
    if (t.where) li.append(" ", text("span", "in " + t.where, "fn"));
    parent.append(li);
    const kids = children.get(t.id) || [];
    if (kids.length && !path.has(t.id)) {
      const ul = document.createElement("ul");
      li.append(ul);
      path.add(t.id);
      for (const k of kids) add(ul, k.task, k.via, path);
      path.delete(t.id);
    }
  }
  // Roots: tasks that wait for no shown task... the tree hangs from the waiters.
  const roots = shown.filter(t => t.awaited_by.every(w => !byId.has(w.id)));
  for (const t of roots) add(root, t, "", new Set());
  if (data.tasks_truncated) root.append(text("li", "(" + data.live + " tasks; the first " + data.tasks.length + " shown)", "note"));
}
function render(data) {
  latest = data;
  document.getElementById("where").textContent =
    "pid " + data.pid + " · " + data.backend + " · " + data.notice;
  document.getElementById("lag").textContent = ms(data.lag_seconds) + " ms";
  document.getElementById("lag99").textContent = data.lag_count ? "p99 ≤ " + ms(data.lag_p99_seconds) + " ms" : "";
  if (previous) {
    const dt = data.time - previous.time;
    if (dt > 0) document.getElementById("rate").textContent = ((data.tasks_created - previous.tasks_created) / dt).toFixed(1);
  }
  previous = data;
  document.getElementById("live").textContent = data.live;
  document.getElementById("ready").textContent = data.ready;
  document.getElementById("timers").textContent = data.timers;
  document.getElementById("fds").textContent = data.open_fds;
  lagHistory.push(data.lag_seconds * 1000);
  while (lagHistory.length > 120) lagHistory.shift();
  const top = Math.max(1, ...lagHistory);
  document.getElementById("lagline").setAttribute("points",
    lagHistory.map((v, i) => (i * 600 / 119).toFixed(1) + "," + (78 - v / top * 74).toFixed(1)).join(" "));
  renderTasks(data);
  const body = document.getElementById("routes");
  body.replaceChildren();
  for (const r of data.routes) {
    const tr = document.createElement("tr");
    for (const v of [r.route, r.method, r.count, ms(r.mean_seconds), r.p99_bound_seconds >= 1e9 ? "> 10000" : ms(r.p99_bound_seconds), r.errors])
      tr.append(text("td", String(v)));
    body.append(tr);
  }
}
document.getElementById("own").addEventListener("change", () => { if (latest) renderTasks(latest); });
function connect() {
  const status = document.getElementById("status");
  const url = new URL("ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url);
  ws.onopen = () => { status.textContent = "connected"; status.className = "connected"; };
  ws.onmessage = (ev) => render(JSON.parse(ev.data));
  ws.onclose = () => {
    status.textContent = "disconnected (retrying)";
    status.className = "closed";
    setTimeout(connect, 1000);
  };
}
connect();
</script>
</body>
</html>
)html";

}  // namespace aio::http::detail
