// The Downhill lab page. Everything is computed by the server (see the README's API
// table); this script builds the controls from GET /api/catalog, keeps the whole state in
// the URL, and draws the paths the server returns over the contour it rendered.
'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var MAX_LANES = 4;
  var catalog = null;
  var contourInfo = null;
  var results = [];
  var inflight = false, pending = false, inputAt = null, dragging = false, coarse = false;
  var timings = { redraws: 0, last_ms: null, all_ms: [] };
  window.__lab = timings;

  var state = {
    view: 'functions', fn: 'rosenbrock', expr: '', x0: null, steps: 300, scrub: null,
    lanes: [
      { optimizer: 'sgd', lr: 0.001, mom: 0.9, nesterov: false, variant: 'heavy_ball', schedule: '', sp: null },
      { optimizer: 'adam', lr: 0.1, mom: 0.9, nesterov: false, variant: 'heavy_ball', schedule: '', sp: null }
    ],
    train: { dataset: 'synthetic_classification', model: 'softmax', hidden: '32', optimizer: 'sgd', lr: 0.05, batch: 32, epochs: 30, schedule: '' },
    sched: { name: 'one_cycle_lr', optimizer: 'sgd', lr: 0.1, mom: 0.9, steps: 1000, params: null }
  };

  // ---------------------------------------------------------------- helpers
  var request = LabUtil.request, post = LabUtil.post, num = LabUtil.num;
  var option = LabUtil.option, fill = LabUtil.fill, fmt = LabUtil.fmt;
  function optInfo(name) { return (catalog.optimizers.filter(function (o) { return o.name === name; })[0]) || { defaults: {} }; }
  function schedInfo(name) { return catalog.schedules.filter(function (s) { return s.name === name; })[0]; }

  // ---------------------------------------------------------------- URL state
  function saveUrl() {
    try { history.replaceState(null, '', '#' + encodeURIComponent(JSON.stringify(state))); } catch (e) { /* ignore */ }
  }
  function loadUrl() {
    if (location.hash.length < 2) return;
    try {
      var s = JSON.parse(decodeURIComponent(location.hash.slice(1)));
      Object.keys(s).forEach(function (k) { if (k in state) state[k] = s[k]; });
      if (!Array.isArray(state.lanes) || !state.lanes.length) state.lanes = [{ optimizer: 'sgd', lr: 0.01 }];
      state.lanes = state.lanes.slice(0, MAX_LANES);
    } catch (e) { /* a broken link falls back to the defaults */ }
  }

  // ---------------------------------------------------------------- views
  function showView(v) {
    state.view = v;
    ['functions', 'training', 'schedules'].forEach(function (n) {
      $('view-' + n).hidden = n !== v;
    });
    Array.prototype.forEach.call(document.querySelectorAll('.tab'), function (b) {
      b.classList.toggle('active', b.getAttribute('data-view') === v);
    });
    if (v === 'schedules') runSchedule();
    if (v === 'training') drawTraining();
    saveUrl();
  }

  // ---------------------------------------------------------------- Functions view
  function problemTable() {
    var p = state.expr ? { expression: state.expr, vars: ['x', 'y'] } : { function: state.fn };
    p.x0 = state.x0.slice();
    return p;
  }
  function optimizerTable(lane) {
    var d = optInfo(lane.optimizer).defaults || {};
    var t = { name: lane.optimizer };
    if ('lr' in d) t.lr = num(lane.lr, d.lr);
    var m = lane.mom;
    if (m !== null && m !== undefined && m !== '' && isFinite(m)) {
      var key = optInfo(lane.optimizer).momentum_key;
      if (key === 'momentum') t.momentum = +m;
      else if (key === 'betas[0]') t.betas = [+m, d.betas[1]];
    }
    if ('variant' in d && lane.variant) t.variant = lane.variant;
    if ('nesterov' in d && lane.nesterov) t.nesterov = true;
    return t;
  }
  function scheduleTable(name, params) {
    if (!name) return null;
    var info = schedInfo(name);
    var t = JSON.parse(JSON.stringify(params || (info && info.example) || {}));
    t.name = name;
    return t;
  }
  function laneTables(lane) {
    var t = { problem: problemTable(), optimizer: optimizerTable(lane), run: { steps: state.steps } };
    var s = scheduleTable(lane.schedule, lane.sp);
    if (s) t.schedule = s;
    return t;
  }

  function loadContour() {
    var body = state.expr ? { expression: state.expr, vars: ['x', 'y'] } : { function: state.fn };
    body.width = 640; body.height = 560;
    $('fn-error').textContent = '';
    return post('/api/contour', body).then(function (c) {
      contourInfo = c;
      if (!state.x0 || state.x0.length !== 2) state.x0 = c.x0.slice();
      var url = URL.createObjectURL(new Blob([c.svg], { type: 'image/svg+xml' }));
      var img = $('contour-img');
      var old = img.getAttribute('data-url');
      img.src = url; img.setAttribute('data-url', url);
      if (old) URL.revokeObjectURL(old);
      $('overlay').setAttribute('viewBox', '0 0 ' + c.width + ' ' + c.height);
      renderLanes();
      runLanes();
    }, function (e) { $('fn-error').textContent = e.message; });
  }

  function toPx(x, y) {
    var f = contourInfo.frame;
    var px = f.left + (x - f.x_range[0]) / (f.x_range[1] - f.x_range[0]) * (f.right - f.left);
    var py = f.bottom - (y - f.y_range[0]) / (f.y_range[1] - f.y_range[0]) * (f.bottom - f.top);
    var c = function (v) { return Math.max(-1e5, Math.min(1e5, v)); };
    return [c(px), c(py)];
  }
  function fromEvent(ev) {
    var svg = $('overlay'), r = svg.getBoundingClientRect(), f = contourInfo.frame;
    var px = (ev.clientX - r.left) * contourInfo.width / r.width;
    var py = (ev.clientY - r.top) * contourInfo.height / r.height;
    var x = f.x_range[0] + (px - f.left) / (f.right - f.left) * (f.x_range[1] - f.x_range[0]);
    var y = f.y_range[0] + (f.bottom - py) / (f.bottom - f.top) * (f.y_range[1] - f.y_range[0]);
    return [+x.toPrecision(6), +y.toPrecision(6)];
  }

  function stride(r) { return (r && r.decimated) ? r.decimated.stride : 1; }
  function pointAt(r, step) {
    var n = r.trajectory.length, i = Math.min(n - 1, Math.floor(step / stride(r)));
    return r.trajectory[Math.max(0, i)];
  }

  function drawPaths() {
    var svg = $('overlay');
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    if (!contourInfo) return;
    var f = contourInfo.frame;
    var cp = Plots.el('clipPath', { id: 'frame-clip' }, Plots.el('defs', {}, svg));
    Plots.el('rect', { x: f.left, y: f.top, width: f.right - f.left, height: f.bottom - f.top }, cp);
    var g = Plots.el('g', { 'clip-path': 'url(#frame-clip)' }, svg);
    var step = state.scrub === null ? state.steps : state.scrub;
    results.forEach(function (res, k) {
      var color = Plots.COLORS[k];
      var r = res && res.ok;
      if (!r) return;
      var pts = r.trajectory.map(function (p) { return toPx(p[0], p[1]); });
      Plots.el('polyline', {
        points: pts.map(function (p) { return p[0].toFixed(1) + ',' + p[1].toFixed(1); }).join(' '),
        fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-linejoin': 'round', 'data-lane': k, 'class': 'path'
      }, g);
      var end = pts[pts.length - 1];
      Plots.el('circle', { cx: end[0], cy: end[1], r: 4, fill: color }, g);
      var m = pointAt(r, step), mp = toPx(m[0], m[1]);
      Plots.el('circle', { cx: mp[0], cy: mp[1], r: 5, fill: '#fff', stroke: color, 'stroke-width': 2, 'class': 'marker' }, g);
    });
    var s = toPx(state.x0[0], state.x0[1]);
    Plots.el('circle', { cx: s[0], cy: s[1], r: 6, fill: 'none', stroke: '#000', 'stroke-width': 2, 'data-testid': 'x0-mark' }, g);
    $('x0-label').textContent = 'x0 = (' + state.x0.map(fmt).join(', ') + ')';
  }

  function drawLoss() {
    var series = [], all = [];
    results.forEach(function (res, k) {
      var r = res && res.ok;
      if (!r) return;
      var st = stride(r);
      var xs = r.f_history.map(function (_, i) { return Math.min(i * st, r.steps); });
      series.push({ label: 'lane ' + k, xs: xs, ys: r.f_history, color: Plots.COLORS[k] });
      all = all.concat(r.f_history.filter(function (v) { return v !== null && isFinite(v); }));
    });
    var logY = all.length > 0 && all.every(function (v) { return v > 0; });
    Plots.lines($('loss-panel'), series, {
      logY: logY, xLabel: 'step', yLabel: logY ? 'f (log)' : 'f', xMax: state.steps,
      marker: state.scrub === null ? state.steps : state.scrub
    });
    var sc = $('scrubber');
    sc.max = String(state.steps);
    sc.value = String(state.scrub === null ? state.steps : state.scrub);
    $('scrub-label').textContent = 'step ' + sc.value + ' / ' + state.steps;
  }

  function laneStatus(res) {
    if (!res) return ['', ''];
    if (res.err) return ['error: ' + res.err, 'diverged'];
    var r = res.ok;
    if (r.status === 'diverged') return ['diverged at step ' + r.diverged_at, 'diverged'];
    if (r.status === 'converged') return ['converged at step ' + r.steps + ', f = ' + fmt(r.f), ''];
    return ['completed ' + r.steps + ' steps, f = ' + fmt(r.f), ''];
  }

  // The stable-lr bound of a lane on the current quadratic, from POST /api/stability (the
  // library's optim::stability): null, or { lr, label, formula }. Answers are cached by request.
  var boundCache = {};
  function stableBound(lane) {
    var q = contourInfo && contourInfo.quadratic;
    if (!q) return Promise.resolve(null);
    var body = { optimizer: optimizerTable(lane), quadratic: q };
    var key = JSON.stringify(body);
    if (!(key in boundCache)) {
      boundCache[key] = post('/api/stability', body).catch(function () { return null; });
    }
    return boundCache[key];
  }
  function momentumDefault(info) {
    var d = info.defaults || {};
    if (info.momentum_key === 'momentum') return d.momentum;
    if (info.momentum_key === 'betas[0]') return d.betas[0];
    return null;
  }

  var LR_MIN = -5, LR_MAX = 1;
  function renderLanes() {
    var box = $('lanes');
    while (box.firstChild) box.removeChild(box.firstChild);
    state.lanes.forEach(function (lane, k) {
      var d = optInfo(lane.optimizer).defaults || {};
      var div = document.createElement('div');
      div.className = 'lane'; div.style.setProperty('--c', Plots.COLORS[k]);
      div.setAttribute('data-testid', 'lane-' + k);
      var row1 = document.createElement('div'); row1.className = 'row';
      var sel = document.createElement('select'); sel.setAttribute('data-testid', 'lane-' + k + '-optimizer');
      // a 2-D function has no residuals: methods that need them (lm) are not offered
      fill(sel, catalog.optimizers.filter(function (o) { return (o.needs || []).indexOf('residuals') < 0; }).map(function (o) { return o.name; }), lane.optimizer);
      sel.addEventListener('change', function () {
        lane.optimizer = sel.value;
        var nd = optInfo(lane.optimizer).defaults || {};
        if ('lr' in nd) lane.lr = nd.lr;
        var ni = optInfo(lane.optimizer);
        lane.mom = ni.momentum_key === 'momentum' ? (nd.momentum || 0.9) : momentumDefault(ni);
        changed(true);
      });
      row1.appendChild(document.createTextNode('lane ' + k + ' '));
      row1.appendChild(sel);
      if (state.lanes.length > 1) {
        var rm = document.createElement('button'); rm.className = 'remove'; rm.textContent = '✕'; rm.title = 'remove lane';
        rm.setAttribute('data-testid', 'lane-' + k + '-remove');
        rm.addEventListener('click', function () { state.lanes.splice(k, 1); changed(true); });
        row1.appendChild(rm);
      }
      div.appendChild(row1);
      if ('lr' in d) {
        var row2 = document.createElement('div'); row2.className = 'row';
        var lr = document.createElement('input'); lr.className = 'lr-text'; lr.value = String(lane.lr);
        lr.setAttribute('data-testid', 'lane-' + k + '-lr');
        var slider = document.createElement('input'); slider.type = 'range'; slider.className = 'lr-slider';
        slider.min = String(LR_MIN); slider.max = String(LR_MAX); slider.step = '0.01';
        slider.setAttribute('data-testid', 'lane-' + k + '-lr-slider');
        slider.value = String(Math.log10(Math.max(1e-12, num(lane.lr, 1e-3))));
        lr.addEventListener('change', function () {
          var v = parseFloat(lr.value);
          if (isFinite(v)) { lane.lr = v; slider.value = String(Math.log10(Math.max(1e-12, v))); changed(false); }
        });
        slider.addEventListener('input', function (ev) {
          inputAt = ev.timeStamp || performance.now();
          lane.lr = +Math.pow(10, +slider.value).toPrecision(3); lr.value = String(lane.lr); changed(false);
        });
        row2.appendChild(document.createTextNode('lr '));
        row2.appendChild(lr);
        div.appendChild(row2);
        div.appendChild(slider);
        var boundBox = document.createElement('div');
        div.appendChild(boundBox);
        stableBound(lane).then(function (bound) {
          if (!bound) return;
          var marks = document.createElement('div'); marks.className = 'marks';
          marks.setAttribute('data-testid', 'lane-' + k + '-stable');
          var ok = document.createElement('div'); ok.className = 'ok';
          var frac = (Math.log10(bound.lr) - LR_MIN) / (LR_MAX - LR_MIN);
          ok.style.width = (100 * Math.max(0, Math.min(1, frac))) + '%';
          marks.appendChild(ok); boundBox.appendChild(marks);
          var ml = document.createElement('div'); ml.className = 'marks-label';
          ml.textContent = 'stable: ' + bound.label + ': lr < ' + bound.formula + ' = ' + fmt(bound.lr);
          boundBox.appendChild(ml);
        });
      }
      var row3 = document.createElement('div'); row3.className = 'row';
      var info = optInfo(lane.optimizer);
      if (info.momentum_key) {
        var m = document.createElement('input'); m.size = 5;
        m.value = lane.mom === null || lane.mom === undefined ? String(momentumDefault(info)) : String(lane.mom);
        m.setAttribute('data-testid', 'lane-' + k + '-momentum');
        m.addEventListener('change', function () { lane.mom = num(m.value, 0); changed(true); });
        row3.appendChild(document.createTextNode(info.momentum_key === 'momentum' ? 'momentum ' : 'β₁ '));
        row3.appendChild(m);
      }
      if ('nesterov' in d) {
        var nb = document.createElement('input'); nb.type = 'checkbox'; nb.checked = !!lane.nesterov;
        nb.setAttribute('data-testid', 'lane-' + k + '-nesterov');
        nb.addEventListener('change', function () { lane.nesterov = nb.checked; changed(true); });
        var nl = document.createElement('label'); nl.appendChild(nb); nl.appendChild(document.createTextNode(' nesterov'));
        row3.appendChild(nl);
      }
      if ('variant' in d) {
        var vs = document.createElement('select'); vs.setAttribute('data-testid', 'lane-' + k + '-variant');
        fill(vs, ['heavy_ball', 'nesterov', 'nesterov_midpoint'], lane.variant || d.variant);
        vs.addEventListener('change', function () { lane.variant = vs.value; changed(true); });
        row3.appendChild(vs);
      }
      var ss = document.createElement('select'); ss.setAttribute('data-testid', 'lane-' + k + '-schedule');
      option(ss, '', 'no schedule');
      catalog.schedules.forEach(function (s) { if (!s.needs_metric && s.name !== 'batch_size_schedule') option(ss, s.name); });
      ss.value = lane.schedule || '';
      ss.addEventListener('change', function () { lane.schedule = ss.value; lane.sp = null; changed(true); });
      if (optInfo(lane.optimizer).first_order) row3.appendChild(ss);
      div.appendChild(row3);
      var st = document.createElement('div'); st.className = 'status';
      st.setAttribute('data-testid', 'lane-' + k + '-status');
      div.appendChild(st);
      box.appendChild(div);
    });
    $('add-lane').disabled = state.lanes.length >= MAX_LANES;
    updateStatuses();
  }

  function updateStatuses() {
    state.lanes.forEach(function (_, k) {
      var el = document.querySelector('[data-testid="lane-' + k + '-status"]');
      if (!el) return;
      var s = laneStatus(results[k]);
      el.textContent = s[0];
      el.className = 'status ' + s[1];
    });
  }

  function runLanes() {
    if (!contourInfo || !state.x0) return;
    if (inflight) { pending = true; return; }
    inflight = true;
    var started = inputAt === null ? performance.now() : inputAt;
    inputAt = null;
    var lanes = state.lanes.slice();
    // while dragging: about one point per two pixels of the contour (the server decimates)
    var f = contourInfo.frame, few = Math.max(50, Math.round((f.right - f.left) / 2));
    coarse = dragging;
    Promise.all(lanes.map(function (l) {
      var t = laneTables(l);
      if (dragging) t.max_points = few;
      return post('/api/run', t).then(function (v) { return { ok: v }; }, function (e) { return { err: e.message }; });
    })).then(function (rs) {
      results = rs;
      drawPaths(); drawLoss(); updateStatuses();
      var ms = performance.now() - started;
      timings.redraws += 1; timings.last_ms = ms; timings.all_ms.push(ms);
      document.body.setAttribute('data-redraws', String(timings.redraws));
    }).then(function () {
      inflight = false;
      if (pending) { pending = false; runLanes(); }
    });
  }

  function changed(rebuild) {
    saveUrl();
    if (rebuild) renderLanes();
    runLanes();
  }

  function downloadConfig() {
    var first = state.lanes[0] || {};
    var same = state.lanes.every(function (l) { return (l.schedule || '') === (first.schedule || '') && JSON.stringify(l.sp) === JSON.stringify(first.sp); });
    var tables = {
      problem: problemTable(),
      run: { steps: state.steps },
      optimizers: state.lanes.map(function (l, k) { var t = optimizerTable(l); t.label = 'lane ' + k + ': ' + l.optimizer; return t; })
    };
    var s = scheduleTable(first.schedule, first.sp);
    if (s && same) tables.schedule = s;
    post('/api/config/compare', tables).then(function (text) {
      if (!same) text = '# note: the lanes have different schedules; `downhill compare` takes one\n' + text;
      var a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([text], { type: 'application/toml' }));
      a.download = 'lab-compare.toml';
      document.body.appendChild(a); a.click(); a.remove();
    }, function (e) { $('fn-error').textContent = e.message; });
  }

  function setupFunctions() {
    var fnSel = $('function');
    fill(fnSel, catalog.functions.filter(function (f) { return f.dim === null || f.dim === 2; }).map(function (f) { return f.name; }), state.fn);
    fnSel.addEventListener('change', function () {
      state.fn = fnSel.value; state.expr = ''; $('formula').value = ''; state.x0 = null; state.scrub = null;
      saveUrl(); loadContour();
    });
    $('formula').value = state.expr || '';
    $('formula').addEventListener('change', function () {
      state.expr = $('formula').value.trim(); state.x0 = null; saveUrl(); loadContour();
    });
    $('steps').value = String(state.steps);
    $('steps').addEventListener('change', function () {
      state.steps = Math.max(1, Math.min(10000, Math.round(num($('steps').value, 100))));
      $('steps').value = String(state.steps); state.scrub = null; changed(false);
    });
    $('add-lane').addEventListener('click', function () {
      if (state.lanes.length < MAX_LANES) state.lanes.push({ optimizer: 'sgd', lr: 0.01, mom: 0, nesterov: false, variant: 'heavy_ball', schedule: '', sp: null });
      changed(true);
    });
    $('download').addEventListener('click', downloadConfig);
    $('scrubber').addEventListener('input', function () {
      state.scrub = +$('scrubber').value; drawPaths(); drawLoss(); saveUrl();
    });
    var overlay = $('overlay');
    var setX0 = function (ev) {
      if (!contourInfo) return;
      inputAt = ev.timeStamp || performance.now();
      state.x0 = fromEvent(ev); drawPaths(); saveUrl(); runLanes();
    };
    overlay.addEventListener('pointerdown', function (ev) {
      dragging = true; if (overlay.setPointerCapture) { try { overlay.setPointerCapture(ev.pointerId); } catch (e) { /* synthetic */ } }
      setX0(ev);
    });
    overlay.addEventListener('pointermove', function (ev) { if (dragging) setX0(ev); });
    // the drag's end redraws at full resolution if the last answer was coarse
    var release = function () { dragging = false; if (coarse || inflight) runLanes(); };
    overlay.addEventListener('pointerup', release);
    overlay.addEventListener('pointercancel', release);
  }

  // ---------------------------------------------------------------- Training view
  var runs = [], current = null;
  function setupTraining() {
    fill($('t-dataset'), catalog.datasets, state.train.dataset);
    fill($('t-model'), catalog.models, state.train.model);
    fill($('t-optimizer'), catalog.optimizers.filter(function (o) { return o.first_order; }).map(function (o) { return o.name; }), state.train.optimizer);
    var ts = $('t-schedule'); option(ts, '', 'no schedule');
    catalog.schedules.forEach(function (s) { if (s.name !== 'batch_size_schedule') option(ts, s.name); });
    ts.value = state.train.schedule || '';
    $('t-hidden').value = state.train.hidden; $('t-lr').value = String(state.train.lr);
    $('t-batch').value = String(state.train.batch); $('t-epochs').value = String(state.train.epochs);
    $('t-dataset').addEventListener('change', function () {
      var ds = $('t-dataset').value;
      var regression = (catalog.dataset_tasks || {})[ds] === 'regression';
      $('t-model').value = regression ? 'linear' : 'softmax';
    });
    $('train-start').addEventListener('click', startTraining);
    $('train-stop').addEventListener('click', function () {
      if (current) request('DELETE', '/api/train/' + current.id).catch(function () { /* already done */ });
    });
    $('train-clear').addEventListener('click', function () { runs = current ? [current] : []; drawTraining(); });
  }
  function trainTables() {
    var t = state.train;
    t.dataset = $('t-dataset').value; t.model = $('t-model').value; t.hidden = $('t-hidden').value;
    t.optimizer = $('t-optimizer').value; t.lr = num($('t-lr').value, 0.05);
    t.batch = Math.max(1, Math.round(num($('t-batch').value, 32)));
    t.epochs = Math.max(1, Math.round(num($('t-epochs').value, 30)));
    if (t.schedule !== $('t-schedule').value) t.sp = null; // a preset's parameters fit its schedule only
    t.schedule = $('t-schedule').value;
    saveUrl();
    var model = { kind: t.model };
    if (t.model === 'mlp') model.hidden = t.hidden.split(',').map(function (v) { return Math.max(1, Math.round(num(v, 32))); });
    // a preset may also set sp (schedule parameters), vf, std, seed, li (log interval), precision
    var data = { source: t.dataset, standardize: t.std !== false, validation_fraction: typeof t.vf === 'number' ? t.vf : 0.2 };
    if (t.precision) data.precision = t.precision;
    var train = { epochs: t.epochs, batch_size: t.batch, seed: typeof t.seed === 'number' ? t.seed : 0 };
    if (typeof t.li === 'number') train.log_interval = t.li;
    var tables = { data: data, model: model, optimizer: { name: t.optimizer, lr: t.lr }, train: train };
    var s = scheduleTable(t.schedule, t.sp || null);
    if (s) tables.schedule = s;
    return tables;
  }
  function trainDone(run, text) {
    run.done = true; run.status = text;
    $('train-status').textContent = text;
    $('train-start').disabled = false; $('train-stop').disabled = true;
    if (run.es) run.es.close();
    if (current === run) current = null;
    drawTraining();
  }
  function startTraining() {
    var tables = trainTables();
    $('train-status').textContent = 'starting…';
    post('/api/train', tables).then(function (v) {
      var t = state.train;
      var run = { id: v.id, label: '#' + v.id + ' ' + t.optimizer + ' lr=' + t.lr + ' ' + t.dataset, samples: [], train: [], vsamples: [], val: [], done: false };
      runs.push(run); current = run;
      $('train-start').disabled = true; $('train-stop').disabled = false;
      var es = new EventSource('/api/train/' + v.id + '/events');
      run.es = es;
      es.addEventListener('progress', function (e) {
        var p = JSON.parse(e.data);
        $('train-status').textContent = 'running: epoch ' + p.epoch + ', batch ' + p.batch + '/' + p.batches;
      });
      es.addEventListener('epoch', function (e) {
        var p = JSON.parse(e.data);
        run.samples.push(p.samples); run.train.push(p.train_loss);
        if (p.val) { run.vsamples.push(p.samples); run.val.push(p.val.loss); }
        $('train-status').textContent = 'running: epoch ' + p.epoch + ', training loss ' + fmt(p.train_loss);
        drawTraining();
      });
      es.addEventListener('result', function (e) {
        var r = JSON.parse(e.data);
        var text;
        if (r.status === 'diverged') text = 'diverged (a non-finite loss or parameter, or a loss above divergence_threshold × its start) at step ' + r.diverged_at.step + ' (epoch ' + r.diverged_at.epoch + ')';
        else if (r.status === 'stopped') text = 'stopped at step ' + (r.stopped_at ? r.stopped_at.step : '?');
        else if (r.status === 'early_stopped') text = 'stopped early after ' + r.epochs + ' epochs, training loss ' + fmt(r.final_train_loss);
        else text = 'completed ' + r.epochs + ' epochs (' + r.steps + ' steps), training loss ' + fmt(r.final_train_loss);
        if (r.final_val_metrics) text += ', validation loss ' + fmt(r.final_val_metrics.loss) + (r.final_val_metrics.accuracy !== null && r.final_val_metrics.accuracy !== undefined ? ', accuracy ' + fmt(r.final_val_metrics.accuracy) : '');
        trainDone(run, text);
      });
      es.addEventListener('error', function (e) {
        if (run.done) return;
        var msg = 'connection lost';
        try { if (e.data) msg = JSON.parse(e.data).error; } catch (x) { /* not ours */ }
        trainDone(run, 'error: ' + msg);
      });
    }, function (e) { $('train-status').textContent = 'error: ' + e.message; });
  }
  function drawTraining() {
    var series = [];
    runs.forEach(function (r, k) {
      var c = Plots.COLORS[k % Plots.COLORS.length];
      series.push({ label: r.label + ' train', xs: r.samples, ys: r.train, color: c });
      if (r.val.length) series.push({ label: '', xs: r.vsamples, ys: r.val, color: c, dash: true });
    });
    Plots.lines($('train-loss'), series, { logY: true, xLabel: 'samples seen', yLabel: 'loss (log; dashed: validation)', empty: 'press Train' });
    var svg = $('train-loss').firstChild;
    if (svg) svg.setAttribute('data-points', String(runs.reduce(function (a, r) { return a + r.train.length; }, 0)));
  }

  // ---------------------------------------------------------------- Schedules view
  var schedTimer = null;
  function setupSchedules() {
    var names = catalog.schedules.filter(function (s) { return !s.needs_metric; }).map(function (s) { return s.name; });
    fill($('s-name'), names, state.sched.name);
    fill($('s-optimizer'), catalog.optimizers.filter(function (o) { return o.first_order; }).map(function (o) { return o.name; }), state.sched.optimizer);
    $('s-lr').value = String(state.sched.lr); $('s-momentum').value = String(state.sched.mom);
    $('s-steps').value = String(state.sched.steps);
    var setParams = function () {
      var info = schedInfo($('s-name').value);
      $('s-params').value = JSON.stringify(state.sched.params || (info && info.example) || {}, null, 1);
    };
    setParams();
    $('s-name').addEventListener('change', function () { state.sched.params = null; setParams(); runSchedule(); });
    ['s-optimizer', 's-lr', 's-momentum', 's-steps', 's-params'].forEach(function (id) {
      $(id).addEventListener('input', function () { clearTimeout(schedTimer); schedTimer = setTimeout(runSchedule, 60); });
    });
  }
  function runSchedule() {
    var s = state.sched;
    s.name = $('s-name').value; s.optimizer = $('s-optimizer').value;
    s.lr = num($('s-lr').value, 0.1); s.mom = num($('s-momentum').value, 0.9);
    s.steps = Math.max(1, Math.round(num($('s-steps').value, 1000)));
    var params;
    try { params = JSON.parse($('s-params').value || '{}'); } catch (e) { $('s-error').textContent = 'parameters: ' + e.message; return; }
    s.params = params;
    saveUrl();
    var lane = { optimizer: s.optimizer, lr: s.lr, mom: s.mom };
    var tables = { optimizer: optimizerTable(lane), schedule: scheduleTable(s.name, params), run: { steps: s.steps, batch_size: 32 }, steps: s.steps };
    post('/api/schedule', tables).then(function (v) {
      $('s-error').textContent = '';
      var xs = v.lr.map(function (_, i) { return i; });
      var series = [{ label: 'lr', xs: xs, ys: v.lr }];
      if (v.momentum && v.momentum.length) series.push({ label: 'momentum / β₁', xs: xs, ys: v.momentum, dash: true });
      Plots.lines($('schedule-plot'), series, { xLabel: 'step', yLabel: 'value', title: s.name + ' as `downhill schedule` computes it' });
    }, function (e) { $('s-error').textContent = e.message; });
  }

  // ---------------------------------------------------------------- presets
  // The tour's experiments (GET /api/presets): choosing one loads its URL state.
  function setupPresets() {
    var sel = $('presets');
    return request('GET', '/api/presets').then(function (list) {
      (list || []).forEach(function (p) { option(sel, p.id, p.title); });
      sel.addEventListener('change', function () {
        var p = list.filter(function (q) { return q.id === sel.value; })[0];
        if (!p) return;
        location.hash = '#' + encodeURIComponent(JSON.stringify(p.state));
        location.reload();
      });
    }, function () { /* no presets: the list stays empty */ });
  }

  // ---------------------------------------------------------------- start
  loadUrl();
  setupPresets();
  Array.prototype.forEach.call(document.querySelectorAll('.tab'), function (b) {
    b.addEventListener('click', function () { showView(b.getAttribute('data-view')); });
  });
  request('GET', '/api/catalog').then(function (c) {
    catalog = c;
    setupFunctions(); setupTraining(); setupSchedules();
    showView(state.view);
    drawTraining();
    return loadContour();
  }, function (e) { $('fn-error').textContent = 'cannot load the catalogue: ' + e.message; });
})();
