// node --test: the checks of typed fields (validate.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import { parseNumber, checkLr, checkMomentum, checkWhole, checkPoint, checkWidths, checkParams } from './validate.js';

test('numbers as people type them', () => {
  for (const [s, v] of [['0.01', 0.01], ['3e-4', 3e-4], ['-2', -2], ['.5', 0.5], [' 1E2 ', 100]]) {
    assert.deepEqual(parseNumber(s), { ok: true, value: v }, s);
  }
  for (const s of ['abc', '1e', '0x10', 'Infinity', 'nan', '1,5', '--1']) {
    assert.equal(parseNumber(s).ok, false, s);
    assert.equal(parseNumber(s).key, 'err.not_number', s);
  }
  assert.equal(parseNumber('').key, 'err.empty');
  assert.equal(parseNumber('1e999').key, 'err.too_big');
});

test('lr, momentum and whole numbers are checked, never clamped', () => {
  assert.equal(checkLr('abc').key, 'err.not_number');
  assert.equal(checkLr('0').key, 'err.lr_positive');
  assert.equal(checkLr('-0.1').key, 'err.lr_positive');
  assert.equal(checkLr('0.55').value, 0.55);
  assert.equal(checkMomentum('1').key, 'err.momentum_range');
  assert.equal(checkMomentum('0').value, 0);
  const over = checkWhole('20000', 1, 10000);
  assert.equal(over.key, 'err.over_limit');
  assert.deepEqual(over.vars, { value: 20000, max: 10000 });
  assert.equal(checkWhole('2.5', 1, 10).key, 'err.whole');
  assert.equal(checkWhole('0', 1, 10).key, 'err.at_least');
  assert.equal(checkWhole('10', 1, 10).value, 10);
});

test('points, widths and parameters', () => {
  assert.deepEqual(checkPoint('-1.5, 2').value, [-1.5, 2]);
  assert.deepEqual(checkPoint('3 4').value, [3, 4]);
  assert.equal(checkPoint('1').key, 'err.point');
  assert.equal(checkPoint('1, x').key, 'err.not_number');
  assert.deepEqual(checkWidths('32, 16').value, [32, 16]);
  assert.equal(checkWidths('32,').key, 'err.widths');
  assert.deepEqual(checkParams('').value, {});
  assert.deepEqual(checkParams('{"t_max": 5}').value, { t_max: 5 });
  assert.equal(checkParams('[1]').key, 'err.json_object');
  assert.equal(checkParams('{').key, 'err.json');
});
