// The page's words: one table per language under i18n/, keyed; `t(key, vars)` fills `{name}`
// placeholders. A second language is a second table with the same keys (the test
// i18n.test.mjs lists what a table lacks).
import en from './i18n/en.js';
import zh from './i18n/zh.js';

const TABLES = { en, zh };
let table = en;

// The languages the page has.
export const LANGUAGES = Object.keys(TABLES);

// The language to show: `?lang=` in the URL, else the last one chosen, else the browser's
// first language the page has, else English.
export function pickLanguage(search, stored, browserLangs) {
  const asked = new URLSearchParams(search || '').get('lang');
  for (const l of [asked, stored, ...(browserLangs || [])]) {
    const base = String(l || '').toLowerCase().split('-')[0];
    if (base in TABLES) return base;
  }
  return 'en';
}

// Chooses the language `lang` (English when the page has no table for it).
export function setLanguage(lang) {
  table = TABLES[lang] || en;
  return TABLES[lang] ? lang : 'en';
}

// The text of `key` with `{name}` replaced by `vars.name` (English if the table lacks it).
export function t(key, vars) {
  let s = table[key];
  if (s === undefined) s = en[key];
  if (s === undefined) return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// The description of catalogue optimiser `o` in the page's language: the table's
// `optim.<name>`, else the server's (English) `doc`.
export function optimizerDoc(o) {
  const s = table['optim.' + o.name];
  return s !== undefined ? s : o.doc;
}

// Fills the static text of `root`: `data-i18n` (text), `data-i18n-title` (title, also the
// accessible description), `data-i18n-placeholder` and `data-i18n-label` (aria-label).
export function translate(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.getAttribute('data-i18n'));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.getAttribute('data-i18n-title'));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.getAttribute('data-i18n-placeholder'));
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.getAttribute('data-i18n-label')));
}
