// One lane of the Functions view: optimiser, lr (typed, or on a log slider with the stable
// range marked), momentum / β₁, nesterov or variant, a schedule with its parameters, and the
// lane's status. Every typed field is checked where it is typed.
import { post } from './api.js';
import { fmt } from './format.js';
import { t, optimizerDoc } from './i18n.js';
import { COLORS } from './plots.js';
import {
  state, lab, optInfo, schedInfo, momentumDefault, optimizerTable, scheduleParams, fill, labelled,
} from './state.js';
import { checkLr, checkMomentum, checkParams } from './validate.js';

const LR_MIN = -5, LR_MAX = 1;

// The stable-lr bound of a lane on the current quadratic, from POST /api/stability (the
// library's optim::stability): null, or { lr, label, formula }. Answers are cached by request.
const boundCache = {};
function stableBound(lane, quadratic) {
  if (!quadratic) return Promise.resolve(null);
  const body = { optimizer: optimizerTable(lane), quadratic };
  const key = JSON.stringify(body);
  if (!(key in boundCache)) boundCache[key] = post('/api/stability', body).catch(() => null);
  return boundCache[key];
}

function input(testid, value, size, helpKey) {
  const i = document.createElement('input');
  i.setAttribute('data-testid', testid);
  i.value = value;
  if (size) i.size = size;
  if (helpKey) { i.title = t(helpKey); i.setAttribute('data-help', helpKey); }
  return i;
}

function row(...children) {
  const r = document.createElement('div');
  r.className = 'row';
  for (const c of children) if (c) r.appendChild(c);
  return r;
}

function help(text) {
  const p = document.createElement('div');
  p.className = 'help';
  p.textContent = text;
  return p;
}

// The optimisers a lane offers: the ones that cannot run on a 2-D point are disabled, with
// the server's reason.
function optimizerChoices() {
  return lab.catalog.optimizers.map((o) => ({
    value: o.name,
    text: o.on_points ? `${o.name} — ${t('lane.unavailable')}` : o.name,
    disabled: !!o.on_points,
    title: o.on_points || optimizerDoc(o),
  }));
}

// The lane's element. `hooks`: {changed(rebuild), validated(input, check), quadratic()}.
export function renderLane(lane, k, hooks) {
  const info = optInfo(lane.optimizer);
  const d = info.defaults || {};
  const div = document.createElement('div');
  div.className = 'lane';
  div.style.setProperty('--c', COLORS[k]);
  div.setAttribute('data-testid', 'lane-' + k);
  div.setAttribute('role', 'group');
  div.setAttribute('aria-label', t('lane.name', { k }));

  const sel = document.createElement('select');
  sel.setAttribute('data-testid', `lane-${k}-optimizer`);
  sel.setAttribute('aria-label', t('lane.optimizer_label', { k }));
  fill(sel, optimizerChoices(), lane.optimizer);
  sel.addEventListener('change', () => {
    lane.optimizer = sel.value;
    const ni = optInfo(lane.optimizer);
    const nd = ni.defaults || {};
    if ('lr' in nd) lane.lr = nd.lr;
    lane.mom = momentumDefault(ni);
    hooks.changed(true);
  });
  let rm = null;
  if (state.lanes.length > 1) {
    rm = document.createElement('button');
    rm.className = 'remove'; rm.textContent = '✕'; rm.title = t('lane.remove');
    rm.setAttribute('aria-label', t('lane.remove'));
    rm.setAttribute('data-testid', `lane-${k}-remove`);
    rm.addEventListener('click', () => { state.lanes.splice(k, 1); hooks.changed(true); });
  }
  div.appendChild(row(document.createTextNode(t('lane.name', { k }) + ' '), sel, rm));
  if (info.doc) div.appendChild(help(optimizerDoc(info).split('. ')[0]));

  if ('lr' in d) {
    const lr = input(`lane-${k}-lr`, String(lane.lr), 8, 'help.lr');
    lr.className = 'lr-text';
    lr.setAttribute('aria-label', t('lane.lr_label', { k }));
    const slider = document.createElement('input');
    slider.type = 'range'; slider.className = 'lr-slider';
    slider.min = String(LR_MIN); slider.max = String(LR_MAX); slider.step = '0.01';
    slider.setAttribute('data-testid', `lane-${k}-lr-slider`);
    slider.setAttribute('aria-label', t('lane.lr_slider_label', { k }));
    slider.value = String(Math.log10(Math.max(1e-12, +lane.lr || 1e-3)));
    lr.addEventListener('change', () => {
      const c = checkLr(lr.value);
      if (!hooks.validated(lr, c)) { hooks.changed(false); return; }
      lane.lr = c.value;
      slider.value = String(Math.log10(Math.max(1e-12, c.value)));
      hooks.changed(false);
    });
    slider.addEventListener('input', () => {
      lane.lr = +Math.pow(10, +slider.value).toPrecision(3);
      lr.value = String(lane.lr);
      hooks.validated(lr, { ok: true });
      hooks.changed(false);
    });
    div.appendChild(row(labelled(t('lane.lr'), lr, t('help.lr'))));
    div.appendChild(slider);
    const boundBox = document.createElement('div');
    div.appendChild(boundBox);
    stableBound(lane, hooks.quadratic()).then((bound) => {
      if (!bound) return;
      const marks = document.createElement('div'); marks.className = 'marks';
      marks.setAttribute('data-testid', `lane-${k}-stable`);
      const ok = document.createElement('div'); ok.className = 'ok';
      const frac = (Math.log10(bound.lr) - LR_MIN) / (LR_MAX - LR_MIN);
      ok.style.width = (100 * Math.max(0, Math.min(1, frac))) + '%';
      marks.appendChild(ok); boundBox.appendChild(marks);
      const ml = document.createElement('div'); ml.className = 'marks-label';
      ml.textContent = t('lane.stable', { label: bound.label, formula: bound.formula, lr: fmt(bound.lr) });
      boundBox.appendChild(ml);
    });
  }

  const r3 = row();
  if (info.momentum_key) {
    const isMom = info.momentum_key === 'momentum';
    const m = input(`lane-${k}-momentum`, String(lane.mom ?? momentumDefault(info)), 5, isMom ? 'help.momentum' : 'help.beta1');
    m.setAttribute('aria-label', t(isMom ? 'lane.momentum' : 'lane.beta1'));
    m.addEventListener('change', () => {
      const c = checkMomentum(m.value);
      if (hooks.validated(m, c)) lane.mom = c.value;
      // a new momentum moves the stable range: redraw the lane
      hooks.changed(true);
    });
    r3.appendChild(labelled(t(isMom ? 'lane.momentum' : 'lane.beta1'), m, t(isMom ? 'help.momentum' : 'help.beta1')));
  }
  if ('nesterov' in d) {
    const nb = document.createElement('input'); nb.type = 'checkbox'; nb.checked = !!lane.nesterov;
    nb.setAttribute('data-testid', `lane-${k}-nesterov`);
    nb.addEventListener('change', () => { lane.nesterov = nb.checked; hooks.changed(true); });
    const nl = document.createElement('label'); nl.appendChild(nb); nl.appendChild(document.createTextNode(' ' + t('lane.nesterov')));
    nl.title = t('help.nesterov');
    r3.appendChild(nl);
  }
  if ('variant' in d) {
    const vs = document.createElement('select'); vs.setAttribute('data-testid', `lane-${k}-variant`);
    vs.setAttribute('aria-label', t('lane.variant'));
    vs.title = t('help.variant');
    fill(vs, ['heavy_ball', 'nesterov', 'nesterov_midpoint'], lane.variant || d.variant);
    vs.addEventListener('change', () => { lane.variant = vs.value; hooks.changed(true); });
    r3.appendChild(vs);
  }
  if (info.first_order) {
    const ss = document.createElement('select'); ss.setAttribute('data-testid', `lane-${k}-schedule`);
    ss.setAttribute('aria-label', t('lane.schedule'));
    const names = lab.catalog.schedules.filter((s) => !s.needs_metric && s.name !== 'batch_size_schedule').map((s) => ({ value: s.name, title: s.doc }));
    fill(ss, [{ value: '', text: t('lane.no_schedule') }, ...names], lane.schedule || '');
    ss.title = t('help.schedule');
    ss.addEventListener('change', () => { lane.schedule = ss.value; lane.sp = null; hooks.changed(true); });
    r3.appendChild(ss);
  }
  div.appendChild(r3);
  if (lane.schedule && info.first_order) div.appendChild(scheduleEditor(lane, k, hooks));
  const st = document.createElement('div'); st.className = 'status';
  st.setAttribute('data-testid', `lane-${k}-status`);
  st.setAttribute('aria-live', 'polite');
  div.appendChild(st);
  return div;
}

// A lane's schedule parameters: the user's own as JSON (what they set stays; `t_max` and
// `total_steps` follow Steps until set), the doc of the schedule, and what overrides what.
function scheduleEditor(lane, k, hooks) {
  const box = document.createElement('div');
  box.className = 'sched-box';
  const info = schedInfo(lane.schedule);
  if (info && info.doc) box.appendChild(help(info.doc.split('. ')[0]));
  const { params, notes } = scheduleParams(lane.schedule, lane.sp, state.steps);
  const p = input(`lane-${k}-schedule-params`, lane.sp ? JSON.stringify(lane.sp) : '', 30, 'help.schedule_params');
  p.placeholder = JSON.stringify(params);
  p.setAttribute('aria-label', t('lane.schedule_params'));
  p.addEventListener('change', () => {
    const c = checkParams(p.value);
    if (hooks.validated(p, c)) {
      lane.sp = Object.keys(c.value).length ? c.value : null;
      hooks.changed(true);
    } else hooks.changed(false);
  });
  box.appendChild(labelled(t('lane.schedule_params'), p, t('help.schedule_params')));
  for (const n of notes) {
    const d = help(n);
    d.classList.add('note-line');
    d.setAttribute('data-testid', `lane-${k}-schedule-note`);
    box.appendChild(d);
  }
  return box;
}
