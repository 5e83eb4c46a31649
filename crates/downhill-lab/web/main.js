// The Downhill lab page. Everything is computed by the server (see the README's API table);
// the page builds its controls from GET /api/catalog, keeps its whole state in the URL, and
// draws what the server returns. One module per view (functions.js with lanes.js,
// training.js, schedules.js), shared state (state.js), requests (api.js), words (i18n.js).
import { request } from './api.js';
import { t, translate, setLanguage, pickLanguage } from './i18n.js';
import { $, state, lab, loadUrl, saveUrl, resetState, defaults } from './state.js';
import { setupFunctions, loadContour, showFunctionsState } from './functions.js';
import { setupTraining, drawTraining, trainPreset } from './training.js';
import { setupSchedules, runSchedule, showSchedulesState } from './schedules.js';

function showView(v) {
  state.view = v;
  for (const n of ['functions', 'training', 'schedules']) $('view-' + n).hidden = n !== v;
  for (const b of document.querySelectorAll('.tab')) {
    const on = b.getAttribute('data-view') === v;
    b.classList.toggle('active', on);
    b.setAttribute('aria-selected', on ? 'true' : 'false');
  }
  if (v === 'schedules') runSchedule();
  if (v === 'training') drawTraining();
  saveUrl();
}

// The tour's experiments (GET /api/presets): choosing one shows its state without reloading
// the page (a training preset starts its run, added to the chart beside the others); its
// one-line "what to look for" shows under the header.
function setupPresets() {
  const sel = $('presets');
  return request('GET', '/api/presets').then((list) => {
    for (const p of list || []) {
      const o = document.createElement('option');
      o.value = p.id; o.textContent = p.title; o.title = presetHelp(p);
      sel.appendChild(o);
    }
    sel.addEventListener('change', () => {
      const p = (list || []).find((q) => q.id === sel.value);
      if (!p || !lab.catalog) return;
      applyPreset(p.state || {});
      $('help-line').textContent = presetHelp(p);
    });
  }, () => { /* no presets: the list stays empty */ });
}

// A preset's (partial) page state, shown in its view.
function applyPreset(s) {
  const d = defaults();
  const view = s.view || 'functions';
  if (view === 'training') {
    showView('training');
    trainPreset(s.train || {});
  } else if (view === 'schedules') {
    state.sched = { ...d.sched, ...(s.sched || {}) };
    showSchedulesState();
    showView('schedules');
  } else {
    for (const k of ['fn', 'expr', 'x0', 'steps', 'lanes']) state[k] = k in s ? JSON.parse(JSON.stringify(s[k])) : d[k];
    state.scrub = null;
    showView('functions');
    showFunctionsState();
  }
  saveUrl();
}

function presetHelp(p) {
  const own = t('preset.' + p.id);
  if (own !== 'preset.' + p.id) return own;
  return t('preset.look.' + ((p.state && p.state.view) || 'functions'));
}

// The help line says what the focused or hovered control does.
function setupHelp() {
  const show = (ev) => {
    const el = ev.target.closest && ev.target.closest('[data-help]');
    if (el) $('help-line').textContent = t(el.getAttribute('data-help'));
  };
  document.addEventListener('focusin', show);
  document.addEventListener('mouseover', show);
  for (const el of document.querySelectorAll('[data-help]')) el.title = t(el.getAttribute('data-help'));
}

function reset() {
  resetState();
  history.replaceState(null, '', location.pathname + location.search);
  location.reload();
}

// the language: ?lang=, else the last one chosen, else the browser's
let stored = null;
try { stored = localStorage.getItem('downhill-lang'); } catch { /* no storage */ }
const lang = setLanguage(pickLanguage(location.search, stored, navigator.languages));
document.documentElement.lang = lang === 'zh' ? 'zh-Hans' : 'en';
translate(document);
$('lang').value = lang;
$('lang').addEventListener('change', () => {
  try { localStorage.setItem('downhill-lang', $('lang').value); } catch { /* no storage */ }
  location.search = '?lang=' + $('lang').value;
});
setupHelp();
loadUrl();
setupPresets();
for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => showView(b.getAttribute('data-view')));
$('reset').addEventListener('click', reset);
request('GET', '/api/catalog').then((c) => {
  lab.catalog = c;
  setupFunctions(); setupTraining(); setupSchedules();
  showView(state.view);
  drawTraining();
  return loadContour();
}, (e) => { $('fn-error').textContent = t('err.catalog', { message: e.message }); });
