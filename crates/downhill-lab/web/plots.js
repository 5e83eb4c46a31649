// Small SVG line charts (our own code, no library): series of (x, y) with an optional log y
// axis, a legend, a vertical marker, red marks where lanes diverged, and a cap of the log axis
// (values above it drawn at the cap, in a hatched band that says so). Charts size to their
// container.
import { fmt, fmtTick, niceTicks } from './format.js';
import { t } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';
export const COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#f0e442', '#000000'];
export const RED = '#b42318';

export function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const k of Object.keys(attrs || {})) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

const usable = (x, y, logY) => Number.isFinite(x) && y !== null && Number.isFinite(y) && (!logY || y > 0);

// series: [{label, xs, ys, color?, dash?, width?, opacity?, dots?, line?, soft?, testid?}]
// (dots: a dot at each point; line: false draws the dots only; soft: on a log axis, widens
// the range by at most a decade beyond the other series, the rest clipped); opts: {logY, cap, xLabel, yLabel, marker, title,
// xMax, empty, marks: [{x, label}]}.
export function lines(container, series, opts = {}) {
  const W = container.clientWidth || 640, H = container.clientHeight || 260;
  const L = 64, R = 12, T = 22, B = 38;
  while (container.firstChild) container.removeChild(container.firstChild);
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, 'font-size': '11', 'font-family': 'sans-serif', role: 'img' }, container);
  if (opts.title) svg.setAttribute('aria-label', opts.title);
  const logY = !!opts.logY;
  const cap = logY && opts.cap ? opts.cap : null;
  const clampY = (y) => (cap !== null && y > cap ? cap : y);
  const pts = [], soft = [];
  for (const s of series) {
    for (let i = 0; i < s.xs.length; i++) {
      const x = s.xs[i], y = s.ys[i];
      if (usable(x, y, logY)) (s.soft && logY ? soft : pts).push([x, clampY(y)]);
    }
  }
  if (!pts.length) pts.push(...soft.splice(0));
  if (opts.title) el('text', { x: L, y: 14, fill: '#1d2330' }, svg).textContent = opts.title;
  if (!pts.length) {
    el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', fill: '#667085' }, svg).textContent = opts.empty || t('chart.no_data');
    return svg;
  }
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const p of pts) {
    const y = logY ? Math.log10(p[1]) : p[1];
    x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  // a soft series widens the log axis by at most a decade each way (one noisy batch near 0
  // does not squash the others)
  const [lo, hi] = [y0 - 1, y1 + 1];
  for (const p of soft) {
    const y = Math.log10(p[1]);
    x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]);
    y0 = Math.min(y0, Math.max(y, lo)); y1 = Math.max(y1, Math.min(y, hi));
  }
  if (opts.xMax !== undefined) x1 = Math.max(x1, opts.xMax);
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const pad = (y1 - y0) * 0.04; y0 -= pad; y1 += pad;
  const sx = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
  const sy = (y) => H - B - ((logY ? Math.log10(clampY(y)) : y) - y0) / (y1 - y0) * (H - T - B);
  el('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: 'none', stroke: '#d0d5dd' }, svg);
  const xt = niceTicks(x0, x1, Math.max(2, Math.floor((W - L - R) / 90)));
  const xSpan = xt.length > 1 ? xt[1] - xt[0] : 1;
  for (const tk of xt) {
    const x = sx(tk);
    el('line', { x1: x, x2: x, y1: H - B, y2: H - B + 4, stroke: '#667085' }, svg);
    el('text', { x, y: H - B + 16, 'text-anchor': 'middle', fill: '#667085' }, svg).textContent = fmtTick(tk, xSpan);
  }
  let yt = logY ? niceTicks(Math.floor(y0), Math.ceil(y1), 6).filter((v) => v >= y0 && v <= y1 && Math.round(v) === v) : niceTicks(y0, y1, 5);
  if (logY && yt.length < 2) {
    // less than a decade: plain ticks between the values, placed on the log axis
    yt = niceTicks(10 ** y0, 10 ** y1, 4).filter((v) => v > 0).map((v) => Math.log10(v));
  }
  const ySpan = yt.length > 1 ? Math.abs((logY ? 10 ** yt[1] - 10 ** yt[0] : yt[1] - yt[0])) : 1;
  for (const tk of yt) {
    const v = logY ? 10 ** tk : tk;
    const y = sy(v);
    el('line', { x1: L, x2: W - R, y1: y, y2: y, stroke: '#eef0f3' }, svg);
    el('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', fill: '#667085' }, svg).textContent = logY ? fmt(v, 2) : fmtTick(v, ySpan);
  }
  if (cap !== null) {
    const yc = sy(cap);
    const band = el('g', { 'data-testid': 'capped' }, svg);
    el('rect', { x: L, y: T, width: W - L - R, height: Math.max(6, yc - T), fill: '#fde8e7', 'fill-opacity': 0.7 }, band);
    el('line', { x1: L, x2: W - R, y1: yc, y2: yc, stroke: RED, 'stroke-dasharray': '6 3' }, band);
    el('text', { x: L + 6, y: yc + 13, fill: RED }, band).textContent = t('chart.capped', { cap: fmt(cap, 2) });
  }
  if (opts.xLabel) el('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', fill: '#1d2330' }, svg).textContent = opts.xLabel;
  if (opts.yLabel) {
    const yc = (T + H - B) / 2;
    el('text', { x: 12, y: yc, 'text-anchor': 'middle', fill: '#1d2330', transform: `rotate(-90 12 ${yc})` }, svg).textContent = opts.yLabel;
  }
  const clip = 'clip' + Math.random().toString(36).slice(2);
  const cp = el('clipPath', { id: clip }, el('defs', {}, svg));
  el('rect', { x: L, y: T - 2, width: W - L - R, height: H - T - B + 4 }, cp);
  series.forEach((s, k) => {
    const color = s.color || COLORS[k % COLORS.length];
    let d = '', pen = false;
    for (let i = 0; i < s.xs.length; i++) {
      const x = s.xs[i], y = s.ys[i];
      if (!usable(x, y, logY)) { pen = false; continue; }
      d += (pen ? 'L' : 'M') + sx(x).toFixed(2) + ' ' + sy(y).toFixed(2);
      pen = true;
    }
    const attrs = { d: d || 'M0 0', fill: 'none', stroke: color, 'stroke-width': s.width || 2, 'clip-path': `url(#${clip})` };
    if (s.dash) attrs['stroke-dasharray'] = '5 3';
    if (s.opacity) attrs['stroke-opacity'] = s.opacity;
    if (s.testid) attrs['data-testid'] = s.testid;
    if (s.line !== false) el('path', attrs, svg);
    if (s.dots) {
      const g = el('g', { fill: color, 'clip-path': `url(#${clip})` }, svg);
      for (let i = 0; i < s.xs.length; i++) {
        if (usable(s.xs[i], s.ys[i], logY)) el('circle', { cx: sx(s.xs[i]).toFixed(2), cy: sy(s.ys[i]).toFixed(2), r: 3 }, g);
      }
    }
  });
  for (const m of opts.marks || []) {
    const mx = sx(m.x);
    const g = el('g', { 'data-testid': 'diverged-mark' }, svg);
    el('line', { x1: mx, x2: mx, y1: T, y2: H - B, stroke: RED, 'stroke-width': 1.5 }, g);
    el('text', { x: Math.min(mx + 4, W - R - 150), y: H - B - 6 - 13 * (m.row || 0), fill: RED, 'font-weight': 'bold' }, g).textContent = m.label;
  }
  // the legend, in rows under the title line, clear of the plot's left edge
  let row = 0;
  series.forEach((s, k) => {
    if (!s.label) return;
    const color = s.color || COLORS[k % COLORS.length];
    const ly = T + 12 + 14 * row++;
    const lx = Math.max(L + 8, W - R - 240);
    el('rect', { x: lx - 4, y: ly - 11, width: 236, height: 14, fill: '#fff', 'fill-opacity': 0.8 }, svg);
    el('line', { x1: lx, x2: lx + 20, y1: ly - 4, y2: ly - 4, stroke: color, 'stroke-width': s.width || 2, 'stroke-dasharray': s.dash ? '5 3' : 'none' }, svg);
    el('text', { x: lx + 24, y: ly, fill: s.red ? RED : '#1d2330' }, svg).textContent = s.label.slice(0, 40);
  });
  if (opts.marker !== undefined && opts.marker !== null) {
    const mx = sx(opts.marker);
    el('line', { x1: mx, x2: mx, y1: T, y2: H - B, stroke: '#1d2330', 'stroke-dasharray': '3 3', 'data-testid': 'step-marker' }, svg);
  }
  return svg;
}
