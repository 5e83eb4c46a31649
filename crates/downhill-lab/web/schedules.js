// The Schedules view: any scheduler with editable parameters, lr and momentum against step
// as `downhill schedule` computes them (POST /api/schedule).
import { post } from './api.js';
import { t } from './i18n.js';
import { lines } from './plots.js';
import { $, state, lab, saveUrl, schedInfo, optimizerTable, scheduleParams, fill, showFieldError } from './state.js';
import { checkLr, checkMomentum, checkWhole, checkParams } from './validate.js';

let timer = null;

function showDoc() {
  const info = schedInfo($('s-name').value);
  $('s-doc').textContent = info ? info.doc : '';
}

function setParams() {
  const p = scheduleParams($('s-name').value, state.sched.params, null).params;
  $('s-params').value = JSON.stringify(p, null, 1);
  showDoc();
}

// Puts state.sched into the fields (at start, and for a preset).
export function showSchedulesState() {
  const s = state.sched;
  $('s-name').value = s.name; $('s-optimizer').value = s.optimizer;
  $('s-lr').value = String(s.lr); $('s-momentum').value = String(s.mom);
  $('s-steps').value = String(s.steps);
  setParams();
}

export function setupSchedules() {
  const c = lab.catalog;
  fill($('s-name'), c.schedules.filter((s) => !s.needs_metric).map((s) => s.name), state.sched.name);
  fill($('s-optimizer'), c.optimizers.filter((o) => o.first_order).map((o) => o.name), state.sched.optimizer);
  showSchedulesState();
  $('s-name').addEventListener('change', () => { state.sched.params = null; setParams(); runSchedule(); });
  for (const id of ['s-optimizer', 's-lr', 's-momentum', 's-steps', 's-params']) {
    $(id).addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(runSchedule, 60); });
  }
}

export function runSchedule() {
  const s = state.sched;
  const checks = {
    lr: showFieldError($('s-lr'), checkLr($('s-lr').value)) && checkLr($('s-lr').value).value,
    mom: showFieldError($('s-momentum'), checkMomentum($('s-momentum').value)) && checkMomentum($('s-momentum').value).value,
    steps: showFieldError($('s-steps'), checkWhole($('s-steps').value, 1, 100000)) && checkWhole($('s-steps').value, 1, 100000).value,
  };
  const pc = checkParams($('s-params').value);
  if (!showFieldError($('s-params'), pc) || checks.lr === false || checks.mom === false || checks.steps === false) return;
  s.name = $('s-name').value; s.optimizer = $('s-optimizer').value;
  s.lr = checks.lr; s.mom = checks.mom; s.steps = checks.steps; s.params = pc.value;
  saveUrl();
  const lane = { optimizer: s.optimizer, lr: s.lr, mom: s.mom };
  const schedule = { ...pc.value, name: s.name };
  const tables = { optimizer: optimizerTable(lane), schedule, run: { steps: s.steps, batch_size: 32 }, steps: s.steps };
  post('/api/schedule', tables).then((v) => {
    $('s-error').textContent = '';
    const xs = v.lr.map((_, i) => i);
    lines($('schedule-plot'), [{ label: t('sched.lr'), xs, ys: v.lr }], {
      xLabel: t('chart.step'), yLabel: t('sched.lr'), title: t('sched.title', { name: s.name }),
    });
    const mom = $('schedule-momentum-plot');
    const hasMom = v.momentum && v.momentum.length;
    mom.hidden = !hasMom;
    if (hasMom) lines(mom, [{ label: t('sched.momentum'), xs, ys: v.momentum, color: '#d55e00' }], { xLabel: t('chart.step'), yLabel: t('sched.momentum') });
    const batch = $('schedule-batch-plot');
    const sizes = v.batch_size;
    const hasBatch = !!(sizes && sizes.length);
    batch.hidden = !hasBatch;
    if (hasBatch) lines(batch, [{ label: t('sched.batch'), xs, ys: sizes, color: '#009e73' }], { xLabel: t('chart.step'), yLabel: t('sched.batch') });
  }, (e) => { $('s-error').textContent = e.message; });
}
