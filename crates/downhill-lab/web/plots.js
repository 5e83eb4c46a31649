// Small SVG line charts for the lab page (our own code, no library): series of (x, y)
// with an optional log y axis, a legend, and an optional vertical marker.
'use strict';
var Plots = (function () {
  var NS = 'http://www.w3.org/2000/svg';
  var COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#f0e442', '#000000'];

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }

  function niceTicks(lo, hi, n) {
    var span = hi - lo;
    if (!(span > 0)) return [lo];
    var step = Math.pow(10, Math.floor(Math.log10(span / n)));
    var err = span / n / step;
    if (err >= 7.5) step *= 10; else if (err >= 3.5) step *= 5; else if (err >= 1.5) step *= 2;
    var out = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(t);
    return out;
  }

  function fmt(v) {
    if (v === 0) return '0';
    var a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) return v.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
    return String(Math.round(v * 1e4) / 1e4);
  }

  // series: [{label, xs, ys, color?, dash?}]; opts: {logY, xLabel, yLabel, marker, title}
  function lines(container, series, opts) {
    opts = opts || {};
    var W = container.clientWidth || 640, H = container.clientHeight || 260;
    var L = 64, R = 12, T = 22, B = 38;
    while (container.firstChild) container.removeChild(container.firstChild);
    var svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H, 'font-size': '11', 'font-family': 'sans-serif' }, container);
    var logY = !!opts.logY;
    var pts = [];
    series.forEach(function (s) {
      for (var i = 0; i < s.xs.length; i++) {
        var x = s.xs[i], y = s.ys[i];
        if (isFinite(x) && y !== null && isFinite(y) && (!logY || y > 0)) pts.push([x, y]);
      }
    });
    if (opts.title) el('text', { x: L, y: 14, fill: '#1d2330' }, svg).textContent = opts.title;
    if (!pts.length) {
      el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', fill: '#667085' }, svg).textContent = opts.empty || 'no data yet';
      return svg;
    }
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    pts.forEach(function (p) {
      var y = logY ? Math.log10(p[1]) : p[1];
      x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    });
    if (opts.xMax !== undefined) x1 = Math.max(x1, opts.xMax);
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
    var pad = (y1 - y0) * 0.04; y0 -= pad; y1 += pad;
    var sx = function (x) { return L + (x - x0) / (x1 - x0) * (W - L - R); };
    var sy = function (y) { return H - B - ((logY ? Math.log10(y) : y) - y0) / (y1 - y0) * (H - T - B); };
    el('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: 'none', stroke: '#d0d5dd' }, svg);
    niceTicks(x0, x1, 6).forEach(function (t) {
      var x = sx(t);
      el('line', { x1: x, x2: x, y1: H - B, y2: H - B + 4, stroke: '#667085' }, svg);
      el('text', { x: x, y: H - B + 16, 'text-anchor': 'middle', fill: '#667085' }, svg).textContent = fmt(t);
    });
    var yt = logY ? niceTicks(Math.floor(y0), Math.ceil(y1), 6).filter(function (t) { return t >= y0 && t <= y1 && Math.round(t) === t; })
      : niceTicks(y0, y1, 5);
    if (logY && yt.length < 2) {
      // less than a decade: plain ticks between the values, placed on the log axis
      yt = niceTicks(Math.pow(10, y0), Math.pow(10, y1), 4).filter(function (v) { return v > 0; })
        .map(function (v) { return Math.log10(v); });
    }
    yt.forEach(function (t) {
      var v = logY ? Math.pow(10, t) : t;
      var y = sy(v);
      el('line', { x1: L, x2: W - R, y1: y, y2: y, stroke: '#eef0f3' }, svg);
      el('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', fill: '#667085' }, svg).textContent = fmt(v);
    });
    if (opts.xLabel) el('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', fill: '#1d2330' }, svg).textContent = opts.xLabel;
    if (opts.yLabel) el('text', { x: 12, y: (T + H - B) / 2, 'text-anchor': 'middle', fill: '#1d2330', transform: 'rotate(-90 12 ' + (T + H - B) / 2 + ')' }, svg).textContent = opts.yLabel;
    var clip = 'clip' + Math.random().toString(36).slice(2);
    var cp = el('clipPath', { id: clip }, el('defs', {}, svg));
    el('rect', { x: L, y: T, width: W - L - R, height: H - T - B }, cp);
    series.forEach(function (s, k) {
      var color = s.color || COLORS[k % COLORS.length];
      var d = '', pen = false;
      for (var i = 0; i < s.xs.length; i++) {
        var x = s.xs[i], y = s.ys[i];
        if (!(isFinite(x) && y !== null && isFinite(y) && (!logY || y > 0))) { pen = false; continue; }
        d += (pen ? 'L' : 'M') + sx(x).toFixed(1) + ' ' + sy(y).toFixed(1);
        pen = true;
      }
      var attrs = { d: d || 'M0 0', fill: 'none', stroke: color, 'stroke-width': 2, 'clip-path': 'url(#' + clip + ')' };
      if (s.dash) attrs['stroke-dasharray'] = '5 3';
      el('path', attrs, svg);
      if (s.label) {
        var ly = T + 12 + 14 * k;
        el('line', { x1: W - R - 150, x2: W - R - 130, y1: ly - 4, y2: ly - 4, stroke: color, 'stroke-width': 2, 'stroke-dasharray': s.dash ? '5 3' : 'none' }, svg);
        el('text', { x: W - R - 126, y: ly, fill: '#1d2330' }, svg).textContent = s.label.slice(0, 24);
      }
    });
    if (opts.marker !== undefined && opts.marker !== null) {
      var mx = sx(opts.marker);
      el('line', { x1: mx, x2: mx, y1: T, y2: H - B, stroke: '#1d2330', 'stroke-dasharray': '3 3' }, svg);
    }
    return svg;
  }

  return { lines: lines, el: el, COLORS: COLORS };
})();
