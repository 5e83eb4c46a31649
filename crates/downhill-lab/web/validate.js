// Checks of what a user types, in plain words. Each check returns `{ ok: true, value }` or
// `{ ok: false, key, vars }`, `key` naming the message in the string table (i18n/en.js). No
// value is ever replaced or clamped: a bad field is reported, not fixed. Pure functions,
// tested by validate.test.mjs.

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const bad = (key, vars = {}) => ({ ok: false, key, vars });
const good = (value) => ({ ok: true, value });

// A finite number as people type it (`0.01`, `3e-4`, `-2`, `.5`), or why not.
export function parseNumber(text) {
  const s = String(text ?? '').trim();
  if (s === '') return bad('err.empty');
  if (!NUMBER.test(s)) return bad('err.not_number', { text: s });
  const v = Number(s);
  if (!Number.isFinite(v)) return bad('err.too_big', { text: s });
  return good(v);
}

// A learning rate: a number above 0.
export function checkLr(text) {
  const n = parseNumber(text);
  if (!n.ok) return n;
  if (!(n.value > 0)) return bad('err.lr_positive', { value: n.value });
  return n;
}

// A momentum or β₁: 0 ≤ m < 1.
export function checkMomentum(text) {
  const n = parseNumber(text);
  if (!n.ok) return n;
  if (n.value < 0 || n.value >= 1) return bad('err.momentum_range', { value: n.value });
  return n;
}

// A whole number in [min, max]; above `max` the message says it is the page's limit.
export function checkWhole(text, min, max) {
  const n = parseNumber(text);
  if (!n.ok) return n;
  if (!Number.isInteger(n.value)) return bad('err.whole', { value: n.value });
  if (n.value < min) return bad('err.at_least', { min });
  if (max !== undefined && n.value > max) return bad('err.over_limit', { value: n.value, max });
  return n;
}

// A point of the plane: two numbers separated by a comma or spaces.
export function checkPoint(text) {
  const parts = String(text ?? '').trim().split(/[\s,;]+/).filter((p) => p !== '');
  if (parts.length !== 2) return bad('err.point', { text: String(text ?? '').trim() });
  const xs = parts.map(parseNumber);
  const wrong = xs.find((x) => !x.ok);
  if (wrong) return wrong;
  return good(xs.map((x) => x.value));
}

// MLP hidden widths: whole numbers ≥ 1, comma separated.
export function checkWidths(text) {
  const parts = String(text ?? '').split(',').map((p) => p.trim());
  const out = [];
  for (const p of parts) {
    const w = checkWhole(p, 1, 4096);
    if (!w.ok) return bad('err.widths', { text: String(text ?? '').trim() });
    out.push(w.value);
  }
  return good(out);
}

// A JSON object of parameters (`{}` when blank).
export function checkParams(text) {
  const s = String(text ?? '').trim();
  if (s === '') return good({});
  let v;
  try {
    v = JSON.parse(s);
  } catch (e) {
    return bad('err.json', { detail: e.message });
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return bad('err.json_object');
  return good(v);
}
