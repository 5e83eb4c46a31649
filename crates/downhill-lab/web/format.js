// Numbers for people: no `5e0`, no 300-digit lr, no `0.07500000000000001`, no `-3.5e-18`.
// Pure functions, tested by format.test.mjs.

// A value as the page prints it: up to `digits` significant digits, trailing zeros dropped,
// exponent form (`1.4e257`, `3e-4`) outside [1e-3, 1e4).
export function fmt(v, digits = 4) {
  if (typeof v !== 'number') return String(v);
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e4) return String(+v.toPrecision(digits));
  const [m, e] = v.toExponential(digits - 1).split('e');
  return String(+m) + 'e' + String(+e);
}

// A tick label: `span` is the distance between ticks, so a value within a millionth of a
// span of zero is zero (no `-3.5e-18` tick).
export function fmtTick(v, span) {
  if (span > 0 && Math.abs(v) < span * 1e-6) return '0';
  return fmt(v, 3);
}

// Round-number ticks covering [lo, hi], about n of them.
export function niceTicks(lo, hi, n) {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  let step = Math.pow(10, Math.floor(Math.log10(span / n)));
  const err = span / n / step;
  if (err >= 7.5) step *= 10;
  else if (err >= 3.5) step *= 5;
  else if (err >= 1.5) step *= 2;
  const out = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) out.push(+(k * step).toPrecision(12));
  return out;
}
