// The Training view: a `downhill train` job on a built-in dataset (POST /api/train), its
// losses streamed (GET /api/train/{id}/events) and drawn against samples seen: each batch's
// loss (faint), its moving average (β = 0.9, debiased, computed by the server over every
// batch), the whole training set's loss at each epoch (dots) and the validation loss
// (dashed); the validation accuracy of classifiers in a second chart. Runs are overlaid (a
// preset adds one). A job ends when its page closes (the server stops a job whose last reader
// leaves; the page also asks on `pagehide`); "Stop all" stops every job the server runs
// (GET /api/train).
import { request, post } from './api.js';
import { fmt } from './format.js';
import { t } from './i18n.js';
import { lines, COLORS } from './plots.js';
import { $, state, lab, saveUrl, scheduleTable, fill, showFieldError, defaults } from './state.js';
import { checkLr, checkWhole, checkWidths } from './validate.js';

let runs = [], drawTimer = null, drawMs = 0, drawnAt = -Infinity;
// A run of fewer batches than this draws each batch's loss, not its moving average.
const FEW_BATCHES = 50;

function fields() {
  return [
    ['t-lr', checkLr],
    ['t-batch', (v) => checkWhole(v, 1, 1 << 20)],
    ['t-epochs', (v) => checkWhole(v, 1, lab.catalog.limits.epochs)],
    ['t-hidden', (v) => ($('t-model').value === 'mlp' ? checkWidths(v) : { ok: true, value: null })],
  ];
}

// Checks every field; the values, or null when one is wrong (its message shown).
function checked() {
  const out = {};
  let ok = true;
  for (const [id, check] of fields()) {
    const c = check($(id).value);
    ok = showFieldError($(id), c) && ok;
    out[id] = c.value;
  }
  return ok ? out : null;
}

export function setupTraining() {
  const c = lab.catalog;
  fill($('t-dataset'), c.datasets, state.train.dataset);
  fill($('t-model'), c.models, state.train.model);
  fill($('t-optimizer'), c.optimizers.filter((o) => o.first_order).map((o) => o.name), state.train.optimizer);
  fill($('t-schedule'), [{ value: '', text: t('lane.no_schedule') },
    ...c.schedules.filter((s) => s.name !== 'batch_size_schedule').map((s) => s.name)], state.train.schedule || '');
  showTrainState();
  $('t-dataset').addEventListener('change', () => {
    $('t-model').value = classification($('t-dataset').value) ? 'softmax' : 'linear';
    drawTraining();
  });
  for (const [id, check] of fields()) $(id).addEventListener('change', () => showFieldError($(id), check($(id).value)));
  $('train-start').addEventListener('click', startTraining);
  $('train-stop').addEventListener('click', () => {
    const last = runs.filter((r) => !r.done).pop();
    if (last) request('DELETE', '/api/train/' + last.id).catch(() => { /* already done */ });
  });
  $('train-stop-all').addEventListener('click', stopAll);
  $('train-clear').addEventListener('click', () => { runs = runs.filter((r) => !r.done); drawTraining(); });
  // closing (or reloading) the page ends its job
  window.addEventListener('pagehide', () => {
    for (const r of runs) {
      if (!r.done) {
        try { fetch('/api/train/' + r.id, { method: 'DELETE', keepalive: true }); } catch { /* closing */ }
        if (r.es) r.es.close();
      }
    }
  });
}

const classification = (name) => ((lab.catalog && lab.catalog.dataset_tasks) || {})[name] === 'classification';

// Puts state.train into the fields.
function showTrainState() {
  const tr = state.train;
  for (const [id, key] of [['t-dataset', 'dataset'], ['t-model', 'model'], ['t-optimizer', 'optimizer']]) $(id).value = tr[key];
  $('t-schedule').value = tr.schedule || '';
  $('t-hidden').value = tr.hidden; $('t-lr').value = String(tr.lr);
  $('t-batch').value = String(tr.batch); $('t-epochs').value = String(tr.epochs);
  for (const [id] of fields()) showFieldError($(id), { ok: true });
}

// A preset's Training state: shown in the fields and trained, its run added to the chart.
export function trainPreset(train) {
  state.train = { ...defaults().train, ...train };
  showTrainState();
  startTraining();
}

// Stops every job the server runs.
export async function stopAll() {
  const jobs = await request('GET', '/api/train').catch(() => []);
  await Promise.all((jobs || []).map((j) => request('DELETE', '/api/train/' + j.id).catch(() => null)));
  $('train-status').textContent = t('train.stopping_all', { n: (jobs || []).length });
}

function trainTables(v) {
  const tr = state.train;
  tr.dataset = $('t-dataset').value; tr.model = $('t-model').value; tr.hidden = $('t-hidden').value;
  tr.optimizer = $('t-optimizer').value; tr.lr = v['t-lr'];
  tr.batch = v['t-batch']; tr.epochs = v['t-epochs'];
  if (tr.schedule !== $('t-schedule').value) tr.sp = null; // a preset's parameters fit its schedule only
  tr.schedule = $('t-schedule').value;
  saveUrl();
  const model = { kind: tr.model };
  if (tr.model === 'mlp') model.hidden = v['t-hidden'];
  // a preset may also set sp (schedule parameters), vf, std, seed, li (log interval), precision
  const data = { source: tr.dataset, standardize: tr.std !== false, validation_fraction: typeof tr.vf === 'number' ? tr.vf : 0.2 };
  if (tr.precision) data.precision = tr.precision;
  const train = { epochs: tr.epochs, batch_size: tr.batch, seed: typeof tr.seed === 'number' ? tr.seed : 0 };
  if (typeof tr.li === 'number') train.log_interval = tr.li;
  const tables = { data, model, optimizer: { name: tr.optimizer, lr: tr.lr }, train };
  const s = scheduleTable(tr.schedule, tr.sp || null, null);
  if (s) tables.schedule = s;
  return tables;
}

function setStatus(text, bad) {
  const s = $('train-status');
  s.textContent = text;
  s.classList.toggle('diverged', !!bad);
}

function trainDone(run, text, bad) {
  run.done = true; run.status = text;
  setStatus(`#${run.id}: ${text}`, bad);
  $('train-stop').disabled = runs.every((r) => r.done);
  if (run.es) run.es.close();
  drawTraining();
}

// Redraws now or soon: batch and epoch events can come by the hundred a second (a small data
// set at batch 1), and a redraw of every point grows with the run, so a redraw follows the
// last one by at least 80 ms and four times as long as it took — the page stays at least 80 %
// free to answer.
function drawSoon() {
  if (drawTimer !== null) return;
  const wait = Math.max(80, 4 * drawMs) - (performance.now() - drawnAt);
  if (wait <= 0) drawTraining();
  else drawTimer = setTimeout(() => { drawTimer = null; drawTraining(); }, wait);
}

// The sentence of a finished job's `train --json` object.
export function resultText(r) {
  let text;
  if (r.status === 'diverged') text = t('train.diverged', { step: r.diverged_at.step, epoch: r.diverged_at.epoch });
  else if (r.status === 'stopped') text = t('train.stopped', { step: r.steps, epoch: r.epochs });
  else if (r.status === 'refused') text = t('train.refused', { step: r.refused.step, epoch: r.refused.epoch, why: r.refused.why });
  else if (r.status === 'early_stopped') text = t('train.early_stopped', { epochs: r.epochs, loss: fmt(r.final_train_loss) });
  else text = t('train.completed', { epochs: r.epochs, steps: r.steps, loss: fmt(r.final_train_loss) });
  const v = r.final_val_metrics;
  if (v) {
    text += t('train.val_loss', { loss: fmt(v.loss) });
    if (v.accuracy !== null && v.accuracy !== undefined) text += t('train.accuracy', { acc: fmt(v.accuracy) });
  }
  return text;
}

function startTraining() {
  const v = checked();
  if (!v) { setStatus(t('train.fix_fields'), true); return; }
  const tables = trainTables(v);
  setStatus(t('train.starting'));
  post('/api/train', tables).then((answer) => {
    const tr = state.train;
    const run = {
      id: answer.id, epochs: tr.epochs, total: null, label: `#${answer.id} ${tr.optimizer} lr=${fmt(tr.lr)} b=${tr.batch} ${tr.dataset}`, done: false,
      samples: [], train: [], vsamples: [], val: [], acc: [], bsamples: [], bloss: [], bsmooth: [],
    };
    runs.push(run);
    $('train-stop').disabled = false;
    const es = new EventSource(`/api/train/${answer.id}/events`);
    run.es = es;
    es.addEventListener('progress', (e) => {
      const p = JSON.parse(e.data);
      if (run.total === null) run.total = p.batches * run.epochs;
      setStatus(`#${run.id}: ` + t('train.running_batch', { epoch: p.epoch, batch: p.batch, batches: p.batches }));
    });
    es.addEventListener('batch', (e) => {
      const b = JSON.parse(e.data);
      run.bsamples.push(b.samples); run.bloss.push(b.loss); run.bsmooth.push(b.smoothed);
      drawSoon();
    });
    es.addEventListener('epoch', (e) => {
      const p = JSON.parse(e.data);
      run.samples.push(p.samples); run.train.push(p.train_loss);
      if (p.val) {
        run.vsamples.push(p.samples); run.val.push(p.val.loss);
        run.acc.push(typeof p.val.accuracy === 'number' ? p.val.accuracy : null);
      }
      setStatus(`#${run.id}: ` + t('train.running_epoch', { epoch: p.epoch, loss: fmt(p.train_loss) }));
      drawSoon();
    });
    es.addEventListener('result', (e) => {
      const r = JSON.parse(e.data);
      trainDone(run, resultText(r), r.status === 'diverged' || r.status === 'refused');
    });
    es.addEventListener('error', (e) => {
      if (run.done) return;
      let msg = t('train.connection_lost');
      try { if (e.data) msg = JSON.parse(e.data).error; } catch { /* not ours */ }
      trainDone(run, t('train.error', { message: msg }), true);
    });
  }, (e) => setStatus(t('train.error', { message: e.message }), true));
}

export function drawTraining() {
  if (drawTimer !== null) { clearTimeout(drawTimer); drawTimer = null; }
  const began = performance.now();
  const series = [], accuracy = [];
  runs.forEach((r, k) => {
    const c = COLORS[k % COLORS.length];
    if (r.total !== null && r.total < FEW_BATCHES) {
      // a few batches: each one, unsmoothed (an average over three steps would only lag)
      series.push({ label: r.label, xs: r.bsamples, ys: r.bloss, color: c, width: 1.5, testid: `train-${r.id}-batches` });
    } else {
      series.push({ label: '', xs: r.bsamples, ys: r.bloss, color: c, width: 1, opacity: 0.3, soft: true, testid: `train-${r.id}-batches` });
      series.push({ label: r.label, xs: r.bsamples, ys: r.bsmooth, color: c, width: 1.5, testid: `train-${r.id}-smoothed` });
    }
    series.push({ label: '', xs: r.samples, ys: r.train, color: c, dots: true, line: false });
    if (r.val.length) series.push({ label: '', xs: r.vsamples, ys: r.val, color: c, dash: true });
    if (r.acc.some((a) => a !== null)) accuracy.push({ label: r.label, xs: r.vsamples, ys: r.acc, color: c, dots: true });
  });
  lines($('train-loss'), series, { logY: true, xLabel: t('chart.samples'), yLabel: t('chart.loss_log'), empty: t('train.press_train') });
  const svg = $('train-loss').firstChild;
  if (svg) {
    svg.setAttribute('data-points', String(runs.reduce((a, r) => a + r.train.length, 0)));
    svg.setAttribute('data-batch-points', String(runs.reduce((a, r) => a + r.bloss.length, 0)));
  }
  // accuracy: for a classification dataset, or once a run has some
  const acc = $('train-acc');
  acc.hidden = !(accuracy.length || classification($('t-dataset').value));
  if (!acc.hidden) {
    lines(acc, accuracy, { xLabel: t('chart.samples'), yLabel: t('chart.accuracy'), empty: t('train.no_accuracy') });
  }
  drawnAt = performance.now();
  drawMs = drawnAt - began;
}
