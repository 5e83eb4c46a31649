// node --test: numbers for people (format.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import { fmt, fmtTick, niceTicks } from './format.js';

test('fmt prints numbers for people', () => {
  assert.equal(fmt(0.07500000000000001), '0.075');
  assert.equal(fmt(5), '5');
  assert.equal(fmt(5.808e48), '5.808e48');
  assert.equal(fmt(1.4e257), '1.4e257');
  assert.equal(fmt(3e-4), '3e-4');
  assert.equal(fmt(-1234.5678), '-1235');
  assert.equal(fmt(0), '0');
  assert.equal(fmt(Infinity), '∞');
  assert.equal(fmt(NaN), 'NaN');
  assert.equal(fmt(1e4), '1e4');
});

test('ticks are round and a near-zero tick is 0', () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(-0.3, 0.3, 3), [-0.2, 0, 0.2]);
  assert.equal(fmtTick(-3.5e-18, 0.2), '0');
  assert.equal(fmtTick(0.2, 0.2), '0.2');
  assert.deepEqual(niceTicks(0.1, 0.1, 4), [0.1]);
});
