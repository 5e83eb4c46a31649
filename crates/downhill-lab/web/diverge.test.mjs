// node --test: divergence, paths leaving the map and the log-axis cap (diverge.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import { verdict, exitPoint, logCap } from './diverge.js';

test('the verdict is the server’s', () => {
  assert.deepEqual(verdict({ ok: { status: 'diverged', diverged_at: 12, steps: 11 } }), { kind: 'diverged', step: 12 });
  assert.deepEqual(verdict({ ok: { status: 'max_steps', steps: 300, f: 1 } }), { kind: 'completed', steps: 300, f: 1 });
  assert.deepEqual(verdict({ ok: { status: 'converged', steps: 7, f: 0 } }), { kind: 'converged', step: 7, f: 0 });
  assert.deepEqual(verdict({ err: 'bad' }), { kind: 'error', message: 'bad' });
  assert.equal(verdict(undefined), null);
});

test('a path that leaves the map is marked on its edge', () => {
  const box = [[-4, 4], [-4, 4]];
  assert.equal(exitPoint([[0, 0], [1, 1], [2, 2]], ...box), null);
  const out = exitPoint([[0, 0], [2, 0], [8, 0], [20, 0]], ...box);
  assert.equal(out.index, 2);
  assert.deepEqual(out.point, [4, 0]);
  const diag = exitPoint([[3, 3], [5, 7]], ...box);
  assert.deepEqual(diag.point, [3.5, 4]);
  const nan = exitPoint([[1, 1], [NaN, 2]], ...box);
  assert.deepEqual(nan, { index: 1, point: [1, 1] });
});

test('one exploding lane caps the log axis', () => {
  const calm = [10, 5, 1, 0.1];
  const boom = [12, 100, 1e5, 1e9];
  assert.deepEqual(logCap([calm, boom]), { cap: 12000, capped: true });
  assert.deepEqual(logCap([calm, [12, 20, 30]]), { cap: null, capped: false });
  assert.deepEqual(logCap([]), { cap: null, capped: false });
});
