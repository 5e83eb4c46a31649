// The Functions view: a contour from the server, up to four lanes of optimisers run by
// POST /api/run from x0, their paths, f against step, a scrubber and Play.
import { post } from './api.js';
import { verdict, exitPoint, logCap, DIVERGENCE_THRESHOLD } from './diverge.js';
import { fmt } from './format.js';
import { t } from './i18n.js';
import { lines, el, COLORS, RED } from './plots.js';
import {
  $, state, lab, saveUrl, optInfo, optimizerTable, scheduleTable, showFieldError, fill, MAX_LANES, MAX_STEPS,
} from './state.js';
import { checkWhole, checkPoint } from './validate.js';
import { renderLane } from './lanes.js';

let contourInfo = null;
let results = [];
let inflight = false, pending = false, inputAt = null, dragging = false, coarse = false;
const timings = { redraws: 0, last_ms: null, all_ms: [] };
window.__lab = timings;
// the fields (by test id) that hold a value the page cannot use: while any does, no run is
// sent; their text and verdict survive a redraw of the lanes
const invalid = new Set();
const drafts = new Map();

export function problemTable() {
  const p = state.expr ? { expression: state.expr, vars: ['x', 'y'] } : { function: state.fn };
  p.x0 = state.x0.slice();
  return p;
}

function runTable() {
  return { steps: state.steps, divergence_threshold: DIVERGENCE_THRESHOLD };
}

function laneTables(lane) {
  const tb = { problem: problemTable(), optimizer: optimizerTable(lane), run: runTable() };
  const s = scheduleTable(lane.schedule, lane.sp, state.steps);
  if (s) tb.schedule = s;
  return tb;
}

// A field checked where it is typed: the check's verdict shown, and remembered.
export function validated(input, check) {
  const id = input.getAttribute('data-testid');
  if (showFieldError(input, check)) {
    invalid.delete(id);
    drafts.delete(id);
  } else {
    invalid.add(id);
    drafts.set(id, { text: input.value, check });
  }
  return check.ok;
}

function clearContour(message) {
  contourInfo = null;
  results = [];
  const img = $('contour-img');
  img.removeAttribute('src');
  img.hidden = true; // no broken-image glyph where the contour was
  const svg = $('overlay');
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  drawKey(null);
  validated($('formula'), { ok: false, key: 'err.server', vars: { message } });
  drawLoss();
  updateStatuses();
}

export function loadContour() {
  const body = state.expr ? { expression: state.expr, vars: ['x', 'y'] } : { function: state.fn };
  body.width = 640; body.height = 560;
  $('fn-error').textContent = '';
  return post('/api/contour', body).then((c) => {
    contourInfo = c;
    validated($('formula'), { ok: true });
    if (!state.x0 || state.x0.length !== 2) state.x0 = c.x0.slice();
    const url = URL.createObjectURL(new Blob([c.svg], { type: 'image/svg+xml' }));
    const img = $('contour-img');
    const old = img.getAttribute('data-url');
    img.src = url; img.setAttribute('data-url', url); img.hidden = false;
    if (old) URL.revokeObjectURL(old);
    $('overlay').setAttribute('viewBox', `0 0 ${c.width} ${c.height}`);
    drawKey(c);
    showX0();
    renderLanes();
    runLanes();
  }, (e) => {
    if (state.expr) clearContour(e.message);
    else $('fn-error').textContent = e.message;
  });
}

// The colour scale beside the map: the contour's band colours (lowest at the bottom) over the
// height of its data box, with the server's tick labels.
function drawKey(c) {
  const box = $('colour-key');
  while (box.firstChild) box.removeChild(box.firstChild);
  const k = c && c.colour_key;
  box.hidden = !k;
  if (!k) return;
  const top = c.frame.top / c.height * 100, bottom = (c.height - c.frame.bottom) / c.height * 100;
  const span = 100 - top - bottom, n = k.colours.length;
  const title = document.createElement('span');
  title.className = 'key-title';
  title.textContent = t(k.log ? 'key.title_log' : 'key.title');
  title.style.top = `calc(${(100 - bottom).toFixed(2)}% + 14px)`;
  box.appendChild(title);
  const bar = document.createElement('div');
  bar.className = 'bar';
  bar.style.top = top + '%'; bar.style.bottom = bottom + '%';
  bar.style.background = 'linear-gradient(to top, ' + k.colours.map((col, i) => `${col} ${(i / n * 100).toFixed(2)}% ${((i + 1) / n * 100).toFixed(2)}%`).join(', ') + ')';
  box.appendChild(bar);
  for (const tk of k.ticks) {
    const s = document.createElement('span');
    s.className = 'tick';
    s.style.bottom = (bottom + tk.t * span).toFixed(2) + '%';
    s.textContent = tk.label;
    box.appendChild(s);
  }
  box.setAttribute('aria-label', t('key.label', { lo: fmt(k.range[0]), hi: fmt(k.range[1]) }));
}

function toPx(x, y) {
  const f = contourInfo.frame;
  const px = f.left + (x - f.x_range[0]) / (f.x_range[1] - f.x_range[0]) * (f.right - f.left);
  const py = f.bottom - (y - f.y_range[0]) / (f.y_range[1] - f.y_range[0]) * (f.bottom - f.top);
  const c = (v) => Math.max(-1e5, Math.min(1e5, v));
  return [c(px), c(py)];
}

function fromEvent(ev) {
  const r = $('overlay').getBoundingClientRect(), f = contourInfo.frame;
  const px = (ev.clientX - r.left) * contourInfo.width / r.width;
  const py = (ev.clientY - r.top) * contourInfo.height / r.height;
  const x = f.x_range[0] + (px - f.left) / (f.right - f.left) * (f.x_range[1] - f.x_range[0]);
  const y = f.y_range[0] + (f.bottom - py) / (f.bottom - f.top) * (f.y_range[1] - f.y_range[0]);
  return [+x.toPrecision(6), +y.toPrecision(6)];
}

const stride = (r) => (r && r.decimated ? r.decimated.stride : 1);
function pointAt(r, step) {
  const n = r.trajectory.length, i = Math.min(n - 1, Math.floor(step / stride(r)));
  return r.trajectory[Math.max(0, i)];
}

// A lane's name in legends: optimiser, lr and momentum.
export function laneLabel(lane, k) {
  const info = optInfo(lane.optimizer);
  let s = `${k}: ${lane.optimizer}`;
  if ('lr' in (info.defaults || {})) s += ` lr=${fmt(+lane.lr)}`;
  if (info.momentum_key && lane.mom !== null && lane.mom !== undefined && lane.mom !== '') {
    s += (info.momentum_key === 'momentum' ? ' m=' : ' β₁=') + fmt(+lane.mom);
  }
  if (lane.schedule) s += ' · ' + lane.schedule;
  return s;
}

function showX0() {
  if (!state.x0) return;
  $('x0-label').textContent = 'x0 = (' + state.x0.map((v) => fmt(v, 6)).join(', ') + ')';
  const inp = $('x0-input');
  if (document.activeElement !== inp && !invalid.has('x0-input')) inp.value = state.x0.map((v) => fmt(v, 6)).join(', ');
}

function drawPaths() {
  const svg = $('overlay');
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  if (!contourInfo) return;
  const f = contourInfo.frame;
  const cp = el('clipPath', { id: 'frame-clip' }, el('defs', {}, svg));
  el('rect', { x: f.left, y: f.top, width: f.right - f.left, height: f.bottom - f.top }, cp);
  const g = el('g', { 'clip-path': 'url(#frame-clip)' }, svg);
  const step = state.scrub === null ? state.steps : state.scrub;
  for (const m of contourInfo.minima || []) {
    const p = toPx(m[0], m[1]);
    el('path', { d: `M${p[0] - 6} ${p[1]}h12M${p[0]} ${p[1] - 6}v12`, stroke: '#1d2330', 'stroke-width': 2, 'data-testid': 'minimum' }, g);
  }
  results.forEach((res, k) => {
    const color = COLORS[k];
    const r = res && res.ok;
    if (!r) return;
    const pts = r.trajectory.map((p) => toPx(p[0], p[1]));
    el('polyline', {
      points: pts.map((p) => p[0].toFixed(2) + ',' + p[1].toFixed(2)).join(' '),
      fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-linejoin': 'round', 'data-lane': k, class: 'path',
    }, g);
    const end = pts[pts.length - 1];
    el('circle', { cx: end[0], cy: end[1], r: 4, fill: color }, g);
    const m = pointAt(r, step), mp = toPx(m[0], m[1]);
    el('circle', { cx: mp[0], cy: mp[1], r: 5, fill: '#fff', stroke: color, 'stroke-width': 2, class: 'marker', 'data-testid': `lane-${k}-marker` }, g);
    const out = exitPoint(r.trajectory, f.x_range, f.y_range);
    if (out) {
      const p = toPx(out.point[0], out.point[1]);
      const xg = el('g', { 'data-testid': `lane-${k}-exit` }, svg);
      el('path', { d: `M${p[0] - 6} ${p[1] - 6}l12 12M${p[0] - 6} ${p[1] + 6}l12 -12`, stroke: RED, 'stroke-width': 3 }, xg);
      const tx = Math.min(Math.max(p[0] + 8, f.left + 4), f.right - 150);
      const ty = Math.min(Math.max(p[1] - 8, f.top + 12), f.bottom - 4);
      el('text', { x: tx, y: ty, fill: RED, 'font-size': 12, 'font-weight': 'bold' }, xg).textContent =
        t('path.leaves', { k, step: out.index * stride(r) });
    }
  });
  const s = toPx(state.x0[0], state.x0[1]);
  el('circle', { cx: s[0], cy: s[1], r: 6, fill: 'none', stroke: '#000', 'stroke-width': 2, 'data-testid': 'x0-mark' }, g);
  showX0();
}

function drawLoss() {
  const series = [], marks = [];
  results.forEach((res, k) => {
    const r = res && res.ok;
    if (!r) return;
    const st = stride(r);
    const xs = r.f_history.map((_, i) => Math.min(i * st, r.steps));
    const v = verdict(res);
    let label = laneLabel(state.lanes[k] || {}, k);
    if (v.kind === 'diverged') {
      label += ' — ' + t('lane.diverged', { step: v.step });
      marks.push({ x: v.step, label: t('chart.diverged_mark', { k, step: v.step }), row: marks.length });
    }
    series.push({ label, xs, ys: r.f_history, color: COLORS[k], red: v.kind === 'diverged' });
  });
  const all = series.flatMap((s) => s.ys.filter((v) => v !== null && Number.isFinite(v)));
  const logY = all.length > 0 && all.every((v) => v > 0);
  const { cap } = logY ? logCap(series.map((s) => s.ys)) : { cap: null };
  lines($('loss-panel'), series, {
    logY, cap, xLabel: t('chart.step'), yLabel: logY ? t('chart.f_log') : t('chart.f'), xMax: state.steps,
    marker: state.scrub === null ? state.steps : state.scrub, marks,
  });
  const sc = $('scrubber');
  sc.max = String(state.steps);
  sc.value = String(state.scrub === null ? state.steps : state.scrub);
  $('scrub-label').textContent = t('scrub.label', { step: sc.value, steps: state.steps });
}

function laneStatus(res) {
  const v = verdict(res);
  if (!v) return ['', ''];
  if (v.kind === 'error') return [t('lane.error', { message: v.message }), 'diverged'];
  if (v.kind === 'diverged') return [t('lane.diverged', { step: v.step }) + ' ' + t('lane.diverged_why', { threshold: fmt(DIVERGENCE_THRESHOLD) }), 'diverged'];
  if (v.kind === 'converged') return [t('lane.converged', { step: v.step, f: fmt(v.f) }), ''];
  return [t('lane.completed', { steps: v.steps, f: fmt(v.f) }), ''];
}

function updateStatuses() {
  state.lanes.forEach((_, k) => {
    const node = document.querySelector(`[data-testid="lane-${k}-status"]`);
    if (!node) return;
    const s = invalid.size ? [t('lane.not_run'), 'waiting'] : laneStatus(results[k]);
    node.textContent = s[0];
    node.className = 'status ' + s[1];
  });
}

// Where the lanes' controls call back.
const hooks = { changed: (rebuild) => changed(rebuild), validated, quadratic: () => contourInfo && contourInfo.quadratic };

export function renderLanes() {
  const box = $('lanes');
  while (box.firstChild) box.removeChild(box.firstChild);
  state.lanes.forEach((lane, k) => box.appendChild(renderLane(lane, k, hooks)));
  for (const [id, d] of drafts) {
    if (!id.startsWith('lane-')) continue;
    const field = box.querySelector(`[data-testid="${id}"]`);
    if (field) {
      field.value = d.text;
      showFieldError(field, d.check);
    } else {
      drafts.delete(id);
      invalid.delete(id);
    }
  }
  $('add-lane').disabled = state.lanes.length >= MAX_LANES;
  updateStatuses();
}

export function runLanes() {
  if (!contourInfo || !state.x0) return;
  if (invalid.size) { updateStatuses(); return; }
  if (inflight) { pending = true; return; }
  inflight = true;
  const started = inputAt === null ? performance.now() : inputAt;
  inputAt = null;
  const lanes = state.lanes.slice();
  // while dragging: about one point per two pixels of the contour (the server decimates)
  const f = contourInfo.frame, few = Math.max(50, Math.round((f.right - f.left) / 2));
  coarse = dragging;
  Promise.all(lanes.map((l) => {
    const tb = laneTables(l);
    if (dragging) tb.max_points = few;
    return post('/api/run', tb).then((v) => ({ ok: v }), (e) => ({ err: e.message }));
  })).then((rs) => {
    results = rs;
    drawPaths(); drawLoss(); updateStatuses();
    const ms = performance.now() - started;
    timings.redraws += 1; timings.last_ms = ms; timings.all_ms.push(ms);
    document.body.setAttribute('data-redraws', String(timings.redraws));
  }).then(() => {
    inflight = false;
    if (pending) { pending = false; runLanes(); }
  });
}

function changed(rebuild) {
  saveUrl();
  if (rebuild) renderLanes();
  updateStatuses();
  runLanes();
}

function downloadConfig() {
  const first = state.lanes[0] || {};
  const same = state.lanes.every((l) => (l.schedule || '') === (first.schedule || '') && JSON.stringify(l.sp) === JSON.stringify(first.sp));
  const tables = {
    problem: problemTable(),
    run: runTable(),
    optimizers: state.lanes.map((l, k) => { const tb = optimizerTable(l); tb.label = `lane ${k}: ${l.optimizer}`; return tb; }),
  };
  const s = scheduleTable(first.schedule, first.sp, state.steps);
  if (s && same) tables.schedule = s;
  post('/api/config/compare', tables).then((text) => {
    if (!same) text = t('download.note_schedules') + '\n' + text;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'application/toml' }));
    a.download = 'lab-compare.toml';
    document.body.appendChild(a); a.click(); a.remove();
  }, (e) => { $('fn-error').textContent = e.message; });
}

// Play: the markers walk the paths from step 0 to the end in about three seconds.
let playing = null;
function stopPlay() {
  if (playing) cancelAnimationFrame(playing.frame);
  playing = null;
  document.body.removeAttribute('data-playing');
  $('play').textContent = t('btn.play');
  $('play').setAttribute('aria-pressed', 'false');
}
function play() {
  if (playing) { stopPlay(); return; }
  const t0 = performance.now(), span = 3000;
  playing = { frame: 0 };
  document.body.setAttribute('data-playing', 'true');
  $('play').textContent = t('btn.pause');
  $('play').setAttribute('aria-pressed', 'true');
  const tick = (now) => {
    if (!playing) return;
    const u = Math.min(1, (now - t0) / span);
    state.scrub = Math.round(u * state.steps);
    drawPaths(); drawLoss();
    if (u < 1) playing.frame = requestAnimationFrame(tick);
    else { state.scrub = null; stopPlay(); drawPaths(); drawLoss(); saveUrl(); }
  };
  playing.frame = requestAnimationFrame(tick);
}

// Shows a Functions state set from outside (a preset): the fields, then the contour, lanes and
// runs.
export function showFunctionsState() {
  invalid.clear(); drafts.clear();
  $('function').value = state.fn;
  $('formula').value = state.expr || '';
  $('steps').value = String(state.steps);
  for (const id of ['formula', 'steps', 'x0-input']) showFieldError($(id), { ok: true });
  return loadContour();
}

export function setupFunctions() {
  const fnSel = $('function');
  fill(fnSel, lab.catalog.functions.filter((f) => f.dim === null || f.dim === 2).map((f) => f.name), state.fn);
  fnSel.addEventListener('change', () => {
    state.fn = fnSel.value; state.expr = ''; $('formula').value = ''; state.x0 = null; state.scrub = null;
    validated($('formula'), { ok: true });
    saveUrl(); loadContour();
  });
  $('formula').value = state.expr || '';
  $('formula').addEventListener('change', () => {
    state.expr = $('formula').value.trim(); state.x0 = null; saveUrl(); loadContour();
  });
  const steps = $('steps');
  steps.value = String(state.steps);
  steps.addEventListener('change', () => {
    const c = checkWhole(steps.value, 1, MAX_STEPS);
    if (validated(steps, c)) { state.steps = c.value; state.scrub = null; changed(true); } else updateStatuses();
  });
  const x0 = $('x0-input');
  x0.addEventListener('change', () => {
    const c = checkPoint(x0.value);
    if (validated(x0, c)) { state.x0 = c.value; state.scrub = null; drawPaths(); changed(false); } else updateStatuses();
  });
  $('add-lane').addEventListener('click', () => {
    if (state.lanes.length < MAX_LANES) state.lanes.push({ optimizer: 'sgd', lr: 0.01, mom: 0, nesterov: false, variant: 'heavy_ball', schedule: '', sp: null });
    changed(true);
  });
  $('download').addEventListener('click', downloadConfig);
  $('play').addEventListener('click', play);
  $('scrubber').addEventListener('input', () => {
    stopPlay();
    state.scrub = +$('scrubber').value; drawPaths(); drawLoss(); saveUrl();
  });
  const overlay = $('overlay');
  const setX0 = (ev) => {
    if (!contourInfo) return;
    inputAt = ev.timeStamp || performance.now();
    state.x0 = fromEvent(ev);
    validated(x0, { ok: true });
    drawPaths(); saveUrl(); runLanes();
  };
  overlay.addEventListener('pointerdown', (ev) => {
    dragging = true;
    if (overlay.setPointerCapture) { try { overlay.setPointerCapture(ev.pointerId); } catch { /* synthetic */ } }
    setX0(ev);
  });
  overlay.addEventListener('pointermove', (ev) => { if (dragging) setX0(ev); });
  // the drag's end redraws at full resolution if the last answer was coarse
  const release = () => { dragging = false; if (coarse || inflight) runLanes(); };
  overlay.addEventListener('pointerup', release);
  overlay.addEventListener('pointercancel', release);
  // the map by keyboard: arrows move x0 (a fiftieth of the map, Shift a fifth), Enter runs
  overlay.addEventListener('keydown', (ev) => {
    if (!contourInfo || !state.x0) return;
    if (ev.key === 'Enter') { ev.preventDefault(); inputAt = performance.now(); runLanes(); return; }
    const dir = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[ev.key];
    if (!dir) return;
    ev.preventDefault();
    state.x0 = moveX0(state.x0, dir, contourInfo.frame, ev.shiftKey ? 5 : 50);
    state.scrub = null;
    validated(x0, { ok: true });
    drawPaths(); saveUrl();
  });
}

// `x0` moved by `dir` (unit steps in x and y) of 1/`parts` of the map's ranges, kept on it.
export function moveX0(x0, dir, frame, parts) {
  return [0, 1].map((i) => {
    const r = i ? frame.y_range : frame.x_range;
    const v = x0[i] + dir[i] * (r[1] - r[0]) / parts;
    return +Math.min(r[1], Math.max(r[0], v)).toPrecision(6);
  });
}
