// Divergence shown honestly: what a lane's run reports, where a path leaves the map, and the
// cap of a log axis that keeps one exploding lane from flattening the others. The server
// decides divergence (the library's divergence guard, `[run] divergence_threshold`); these
// functions only read its answer. Pure functions, tested by diverge.test.mjs.

// The lab's divergence threshold: a run whose f exceeds this × max(|f₀|, 1) has diverged.
export const DIVERGENCE_THRESHOLD = 1e6;

// How a lane's run ended: `{ kind: 'diverged', step }`, `{ kind: 'converged', step, f }`,
// `{ kind: 'completed', steps, f }`, `{ kind: 'error', message }` or null (no answer yet).
export function verdict(res) {
  if (!res) return null;
  if (res.err !== undefined) return { kind: 'error', message: res.err };
  const r = res.ok;
  if (r.status === 'diverged') return { kind: 'diverged', step: r.diverged_at ?? r.steps };
  if (r.status === 'converged') return { kind: 'converged', step: r.steps, f: r.f };
  return { kind: 'completed', steps: r.steps, f: r.f };
}

const inside = (p, xr, yr) =>
  Number.isFinite(p[0]) && Number.isFinite(p[1]) &&
  p[0] >= xr[0] && p[0] <= xr[1] && p[1] >= yr[0] && p[1] <= yr[1];

// Where a path first leaves the box xr × yr: `{ index, point }`, `index` being the first
// point outside and `point` the crossing of the box's edge on the segment that leaves
// (the last inside point when the outside one is not finite); null if it never leaves.
export function exitPoint(traj, xr, yr) {
  for (let i = 1; i < traj.length; i++) {
    if (inside(traj[i], xr, yr)) continue;
    if (!inside(traj[i - 1], xr, yr)) return null;
    const a = traj[i - 1], b = traj[i];
    if (!Number.isFinite(b[0]) || !Number.isFinite(b[1])) return { index: i, point: a.slice() };
    let t = 1;
    for (const [k, r] of [[0, xr], [1, yr]]) {
      const d = b[k] - a[k];
      if (b[k] > r[1]) t = Math.min(t, (r[1] - a[k]) / d);
      if (b[k] < r[0]) t = Math.min(t, (r[0] - a[k]) / d);
    }
    return { index: i, point: [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])] };
  }
  return null;
}

// The top of a log axis over series of positive values: `{ cap, capped }`. With no cap the
// axis spans the data; when some value lies more than `room` times above the largest first
// value of any series (an exploding lane), the axis stops at that height and `capped` says
// the part above is not drawn to scale.
export function logCap(series, room = 1e3) {
  let start = 0, top = 0;
  for (const ys of series) {
    const first = ys.find((v) => Number.isFinite(v) && v > 0);
    if (first !== undefined) start = Math.max(start, first);
    for (const v of ys) if (Number.isFinite(v) && v > top) top = v;
  }
  if (!(start > 0)) return { cap: null, capped: false };
  const cap = start * room;
  return top > cap ? { cap, capped: true } : { cap: null, capped: false };
}
