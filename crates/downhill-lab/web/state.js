// The page's state, kept whole in the URL (a lab link or a tour preset restores it), the
// catalogue the server gave, and the helpers the views share.
import { t } from './i18n.js';

export const $ = (id) => document.getElementById(id);

// The most lanes, and the most steps the Functions view runs.
export const MAX_LANES = 4;
export const MAX_STEPS = 10000;

// A fresh state: what Reset returns to.
export function defaults() {
  return {
    view: 'functions', fn: 'rosenbrock', expr: '', x0: null, steps: 300, scrub: null,
    lanes: [
      { optimizer: 'sgd', lr: 0.001, mom: 0.9, nesterov: false, variant: 'heavy_ball', schedule: '', sp: null },
      { optimizer: 'adam', lr: 0.1, mom: 0.9, nesterov: false, variant: 'heavy_ball', schedule: '', sp: null },
    ],
    train: { dataset: 'synthetic_classification', model: 'softmax', hidden: '32', optimizer: 'sgd', lr: 0.05, batch: 32, epochs: 30, schedule: '' },
    sched: { name: 'one_cycle_lr', optimizer: 'sgd', lr: 0.1, mom: 0.9, steps: 1000, params: null },
  };
}

export const state = defaults();

// The server's catalogue (GET /api/catalog), set once at start.
export const lab = { catalog: null };

export function saveUrl() {
  try { history.replaceState(null, '', '#' + encodeURIComponent(JSON.stringify(state))); } catch { /* ignore */ }
}

export function loadUrl() {
  if (location.hash.length < 2) return;
  try {
    const s = JSON.parse(decodeURIComponent(location.hash.slice(1)));
    for (const k of Object.keys(s)) if (k in state) state[k] = s[k];
    if (!Array.isArray(state.lanes) || !state.lanes.length) state.lanes = [{ optimizer: 'sgd', lr: 0.01 }];
    state.lanes = state.lanes.slice(0, MAX_LANES);
  } catch { /* a broken link falls back to the defaults */ }
}

// Puts every member of a fresh state back.
export function resetState() {
  const d = defaults();
  for (const k of Object.keys(state)) delete state[k];
  Object.assign(state, d);
}

export const optInfo = (name) => lab.catalog.optimizers.find((o) => o.name === name) || { defaults: {}, params: [] };
export const schedInfo = (name) => lab.catalog.schedules.find((s) => s.name === name);

// The momentum an optimiser starts with (its catalogue default: sgd 0, as in torch).
export function momentumDefault(info) {
  const d = info.defaults || {};
  if (info.momentum_key === 'momentum') return d.momentum ?? 0;
  if (info.momentum_key === 'betas[0]') return d.betas ? d.betas[0] : null;
  return null;
}

// The `[optimizer]` table of a lane ({optimizer, lr, mom, nesterov, variant}).
export function optimizerTable(lane) {
  const info = optInfo(lane.optimizer);
  const d = info.defaults || {};
  const tb = { name: lane.optimizer };
  if ('lr' in d && Number.isFinite(+lane.lr)) tb.lr = +lane.lr;
  const m = lane.mom;
  if (m !== null && m !== undefined && m !== '' && Number.isFinite(+m)) {
    if (info.momentum_key === 'momentum') tb.momentum = +m;
    else if (info.momentum_key === 'betas[0]') tb.betas = [+m, d.betas[1]];
  }
  if ('variant' in d && lane.variant) tb.variant = lane.variant;
  if ('nesterov' in d && lane.nesterov) tb.nesterov = true;
  return tb;
}

// The parameters a schedule runs with: its example, `t_max`/`total_steps` following `steps`
// unless set, then the user's `sp`; and the notes the page shows about them.
export function scheduleParams(name, sp, steps) {
  const info = schedInfo(name);
  const p = JSON.parse(JSON.stringify((info && info.example) || {}));
  const notes = [];
  const own = sp || {};
  for (const key of ['t_max', 'total_steps']) {
    if (key in p && !(key in own) && steps) {
      p[key] = steps;
      notes.push(t('sched.follows_steps', { key, value: steps }));
    }
  }
  Object.assign(p, JSON.parse(JSON.stringify(own)));
  for (const key of ['max_lr', 'base_lr']) {
    if (key in p) notes.push(t('sched.overrides_lr', { key, value: p[key] }));
  }
  return { params: p, notes };
}

// The `[schedule]` table (null for no schedule).
export function scheduleTable(name, sp, steps) {
  if (!name) return null;
  const tb = scheduleParams(name, sp, steps).params;
  tb.name = name;
  return tb;
}

// Marks a field as wrong (red outline, message in `<testid>-error`) or right. The message
// element is made on first use, just after the field.
export function showFieldError(input, check) {
  const id = input.getAttribute('data-testid');
  let msg = document.querySelector(`[data-testid="${id}-error"]`);
  if (!msg) {
    msg = document.createElement('span');
    msg.className = 'field-error';
    msg.setAttribute('data-testid', id + '-error');
    msg.id = id + '-error';
    msg.setAttribute('role', 'alert');
    input.insertAdjacentElement('afterend', msg);
    input.setAttribute('aria-describedby', msg.id);
  }
  input.classList.toggle('invalid', !check.ok);
  input.setAttribute('aria-invalid', check.ok ? 'false' : 'true');
  msg.textContent = check.ok ? '' : t(check.key, check.vars);
  msg.hidden = check.ok;
  return check.ok;
}

// Fills a <select> with `values` (strings or {value, text, disabled, title}).
export function fill(sel, values, current) {
  while (sel.firstChild) sel.removeChild(sel.firstChild);
  for (const v of values) {
    const o = document.createElement('option');
    const item = typeof v === 'string' ? { value: v } : v;
    o.value = item.value;
    o.textContent = item.text || item.value;
    if (item.disabled) o.disabled = true;
    if (item.title) o.title = item.title;
    sel.appendChild(o);
  }
  if (current !== undefined && values.some((v) => (typeof v === 'string' ? v : v.value) === current)) sel.value = current;
}

// A labelled element: `<label>text child</label>`.
export function labelled(text, child, help) {
  const l = document.createElement('label');
  l.appendChild(document.createTextNode(text + ' '));
  l.appendChild(child);
  if (help) l.title = help;
  return l;
}
