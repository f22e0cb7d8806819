// sluice dashboard: polls /api/status and /api/series twice a second and draws, per host,
// the requests in flight against the cap. No framework, no CDN.
// window.sluiceDashboard holds what is drawn, for people poking in the console and for
// the browser test.
'use strict';

const WINDOW_MS = 120000;  // charts show at most the last two minutes ...
const MIN_SPAN_MS = 20000;  // ... and at least 20 s, from the first sample on
const POLL_MS = 500;
const SVG = 'http://www.w3.org/2000/svg';

const model = {
  status: null,
  hosts: {},     // host -> {points: [{t, in_flight, open, cap, effective_cap}]}
  totals: [],    // [{t, finished, bytes}]
  lastT: 0,
  replays: [],   // answers of replay clicks, newest last
  errors: 0,
};
window.sluiceDashboard = model;

function token() {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) sessionStorage.setItem('sluice-token', decodeURIComponent(m[1]));
  return sessionStorage.getItem('sluice-token') || '';
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  const t = token();
  if (t) headers['Authorization'] = 'Bearer ' + t;
  const res = await fetch(path, Object.assign({}, options, { headers }));
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) document.getElementById('token-box').hidden = false;
  if (!res.ok) {
    const msg = body.error ? body.error.code + ': ' + body.error.message : 'HTTP ' + res.status;
    throw new Error(msg);
  }
  return body;
}

function fmtNum(n) { return n.toLocaleString('en-US'); }
function fmtDur(s) {
  if (s === null || s === undefined) return '–';
  s = Math.round(s);
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
}
function fmtBytes(b) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
  return b.toFixed(i ? 1 : 0) + ' ' + units[i];
}
function el(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function setText(id, text) { document.getElementById(id).textContent = text; }

function addPoints(series) {
  for (const p of series.points) {
    if (p.t_ms <= model.lastT) continue;
    model.lastT = p.t_ms;
    model.totals.push({ t: p.t_ms, finished: p.finished, bytes: p.bytes });
    for (const [host, h] of Object.entries(p.hosts)) {
      if (!model.hosts[host]) model.hosts[host] = { points: [] };
      model.hosts[host].points.push({ t: p.t_ms, in_flight: h.in_flight, open: h.open,
                                      cap: h.cap, effective_cap: h.effective_cap });
    }
  }
  const cut = series.now_ms - WINDOW_MS;
  model.totals = model.totals.filter(p => p.t >= cut);
  for (const h of Object.values(model.hosts)) h.points = h.points.filter(p => p.t >= cut);
}

// The time span the charts show: from the first sample kept, within [MIN_SPAN_MS, WINDOW_MS].
function span(now) {
  const first = model.totals.length ? model.totals[0].t : now;
  return Math.min(WINDOW_MS, Math.max(MIN_SPAN_MS, now - first));
}

// A chart frame: returns x(t) and y(v) for a width x height viewBox.
function frame(svg, now, ymax, width, height) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const left = 28, top = 6, bottom = 14;
  const ms = span(now);
  const x = t => left + (width - left - 4) * (t - (now - ms)) / ms;
  const y = v => top + (height - top - bottom) * (1 - v / ymax);
  svg.appendChild(el('text', { x: 2, y: y(ymax) + 8, class: 'axis' }, String(Math.round(ymax))));
  svg.appendChild(el('text', { x: 2, y: y(0), class: 'axis' }, '0'));
  svg.appendChild(el('text', { x: left, y: height - 2, class: 'axis' }, '-' + fmtDur(ms / 1000)));
  svg.appendChild(el('text', { x: width - 30, y: height - 2, class: 'axis' }, 'now'));
  return { x, y, left, right: width - 4 };
}

// A step line through (t, v) points: a sample's value holds until the next sample.
function steps(points, key, x, y) {
  const out = [];
  points.forEach((p, i) => {
    if (i > 0) out.push(x(p.t).toFixed(1) + ',' + y(points[i - 1][key]).toFixed(1));
    out.push(x(p.t).toFixed(1) + ',' + y(p[key]).toFixed(1));
  });
  return out.join(' ');
}

function drawHost(host, info, now) {
  const id = 'host-' + host.replace(/[^A-Za-z0-9]/g, '_');
  let box = document.getElementById(id);
  if (!box) {
    box = document.createElement('div');
    box.className = 'host';
    box.id = id;
    box.innerHTML = '<div class="host-head"><strong></strong><span class="badge circuit"></span>' +
      '<span class="figs muted"></span></div>';
    const svg = el('svg', { class: 'chart', viewBox: '0 0 640 140', preserveAspectRatio: 'none',
                            role: 'img' });
    svg.dataset.host = host;
    box.appendChild(svg);
    document.getElementById('hosts').appendChild(box);
  }
  const st = (model.status && model.status.hosts[host]) || {};
  const points = info.points;
  const cap = st.cap || (points.length ? points[points.length - 1].cap : 1);
  box.querySelector('strong').textContent = host;
  const circuit = box.querySelector('.circuit');
  circuit.textContent = 'circuit ' + (st.circuit || 'closed');
  circuit.className = 'badge circuit ' + (st.circuit === 'open' ? 'bad' :
                                          st.circuit === 'half_open' ? 'warn' : 'ok');
  box.querySelector('.figs').textContent =
    'in flight ' + (st.in_flight ?? 0) + ' / cap ' + cap +
    (st.effective_cap !== undefined && st.effective_cap !== cap ? ' (slowed to ' + st.effective_cap + ')' : '') +
    ' · open connections ' + (st.open_connections ?? 0) +
    ' · most at once ' + (st.max_in_flight ?? 0) +
    ' · done ' + fmtNum(st.jobs ? st.jobs.done : 0) + ' · dead ' + fmtNum(st.jobs ? st.jobs.dead : 0);

  const svg = box.querySelector('svg');
  const ymax = Math.max(1, cap) * 1.2;
  const f = frame(svg, now, ymax, 640, 140);
  const capY = f.y(cap);
  svg.appendChild(el('line', { x1: f.left, x2: f.right, y1: capY, y2: capY, class: 'line-cap' }));
  svg.appendChild(el('text', { x: f.right - 60, y: capY - 3, class: 'axis' }, 'cap ' + cap));
  const eff = st.effective_cap;
  if (eff !== undefined && eff < cap) {
    const ey = f.y(eff);
    svg.appendChild(el('line', { x1: f.left, x2: f.right, y1: ey, y2: ey, class: 'line-eff' }));
  }
  if (points.length) {
    const area = steps(points, 'in_flight', f.x, f.y) + ' ' + f.x(points[points.length - 1].t).toFixed(1) +
      ',' + f.y(0).toFixed(1) + ' ' + f.x(points[0].t).toFixed(1) + ',' + f.y(0).toFixed(1);
    svg.appendChild(el('polygon', { points: area, class: 'area-inflight' }));
  }
  svg.appendChild(el('polyline', { points: steps(points, 'open', f.x, f.y), class: 'line-open' }));
  const line = el('polyline', { points: steps(points, 'in_flight', f.x, f.y), class: 'line-inflight' });
  svg.appendChild(line);
  svg.dataset.cap = cap;
  svg.dataset.capY = capY.toFixed(1);
  svg.dataset.maxInFlight = points.reduce((m, p) => Math.max(m, p.in_flight), 0);
}

function drawThroughput(now) {
  const svg = document.getElementById('throughput');
  const rates = [];
  const t = model.totals;
  for (let i = 1; i < t.length; i++) {
    // jobs per second over the last ~2 s, so 200 ms samples do not jitter the line
    let j = i - 1;
    while (j > 0 && t[i].t - t[j].t < 2000) j--;
    const dt = (t[i].t - t[j].t) / 1000;
    if (dt < 1) continue;  // too short a base: the first second would spike
    rates.push({ t: t[i].t, rate: (t[i].finished - t[j].finished) / dt });
  }
  const ymax = Math.max(1, ...rates.map(r => r.rate)) * 1.1;
  const f = frame(svg, now, ymax, 640, 120);
  svg.appendChild(el('polyline', { points: rates.map(r => f.x(r.t).toFixed(1) + ',' +
    f.y(r.rate).toFixed(1)).join(' '), class: 'line-rate' }));
}

function drawOverview(s) {
  const j = s.jobs;
  const pct = s.progress.percent;
  document.getElementById('bar-fill').style.width = pct.toFixed(1) + '%';
  setText('bar-text', pct.toFixed(1) + '%  (' + fmtNum(s.progress.finished) + ' of ' +
          fmtNum(s.progress.total) + ')');
  setText('f-done', fmtNum(j.done));
  setText('f-dead', fmtNum(j.dead));
  setText('f-queued', fmtNum(j.queued));
  setText('f-leased', fmtNum(j.leased));
  setText('f-rate', s.rates.jobs_per_s.toFixed(1) + ' jobs/s');
  setText('f-bytes', fmtBytes(s.rates.bytes_per_s) + '/s');
  setText('f-eta', j.queued + j.leased === 0 ? 'done' : fmtDur(s.eta_seconds));
  setText('f-age', s.oldest_ready_age_seconds === null ? '–' : fmtDur(s.oldest_ready_age_seconds));
  const state = document.getElementById('state');
  const open = Object.values(s.hosts).filter(h => h.circuit !== 'closed').length;
  state.textContent = s.stopping ? 'stopping' : open ? open + ' circuit(s) open' : 'running';
  state.className = 'badge ' + (s.stopping ? 'warn' : open ? 'bad' : 'ok');
  setText('updated', 'updated ' + new Date(s.at_ms).toLocaleTimeString());
}

function drawDlq(s) {
  const body = document.querySelector('#dlq tbody');
  const reasons = Object.entries(s.dead_by_reason);
  setText('dlq-note', reasons.length ? 'Replay moves the dead jobs of a reason back to the ' +
          'queue, attempts reset; the run fetches them again.' : 'No dead jobs.');
  const seen = new Set();
  for (const [reason, n] of reasons) {
    seen.add(reason);
    let row = body.querySelector('tr[data-reason="' + CSS.escape(reason) + '"]');
    if (!row) {
      row = document.createElement('tr');
      row.dataset.reason = reason;
      row.innerHTML = '<td class="reason"></td><td class="num count"></td>' +
        '<td><button type="button" class="replay">Replay</button></td>';
      row.querySelector('.reason').textContent = reason;
      row.querySelector('button').addEventListener('click', () => replay(reason, row));
      body.appendChild(row);
    }
    row.querySelector('.count').textContent = fmtNum(n);
  }
  for (const row of [...body.querySelectorAll('tr')]) {
    if (!seen.has(row.dataset.reason)) row.remove();
  }
}

async function replay(reason, row) {
  const button = row.querySelector('button');
  button.disabled = true;
  try {
    const r = await api('/api/dlq/replay', { method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ reason }) });
    model.replays.push({ reason, replayed: r.replayed });
    setText('dlq-note', 'replayed ' + r.replayed + ' job(s) with reason ' + reason);
  } catch (e) {
    setText('dlq-note', 'replay failed: ' + e.message);
  } finally {
    button.disabled = false;
  }
  poll();
}

let polling = false;
async function poll() {
  if (polling) return;
  polling = true;
  try {
    const [status, series] = await Promise.all([api('/api/status'),
      api('/api/series?after_ms=' + model.lastT)]);
    model.status = status;
    addPoints(series);
    const now = series.now_ms;
    drawOverview(status);
    drawThroughput(now);
    for (const [host, info] of Object.entries(model.hosts)) drawHost(host, info, now);
    drawDlq(status);
  } catch (e) {
    model.errors++;
    const state = document.getElementById('state');
    state.textContent = 'unreachable: ' + e.message;
    state.className = 'badge bad';
  } finally {
    polling = false;
  }
}

document.getElementById('token-form').addEventListener('submit', ev => {
  ev.preventDefault();
  sessionStorage.setItem('sluice-token', document.getElementById('token-input').value);
  document.getElementById('token-box').hidden = true;
  poll();
});
poll();
setInterval(poll, POLL_MS);
