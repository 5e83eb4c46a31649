// node --test: every key the page uses is in the English table, and every other language's
// table has exactly the English keys (a missing key fails, naming it).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import en from './i18n/en.js';
import { optimizerDoc, pickLanguage, setLanguage, t } from './i18n.js';

const dir = dirname(fileURLToPath(import.meta.url));
const NAMESPACES = [...new Set(Object.keys(en).map((k) => k.split('.')[0]))].filter((n) => Object.keys(en).some((k) => k.startsWith(n + '.')));

function usedKeys() {
  const keys = new Set();
  const files = readdirSync(dir).filter((f) => (f.endsWith('.js') && !f.endsWith('.test.mjs')) || f.endsWith('.html'));
  const literal = new RegExp(`['"]((?:${NAMESPACES.join('|')})\\.[a-z0-9_]+)['"]`, 'g');
  for (const f of files) {
    const src = readFileSync(join(dir, f), 'utf8');
    for (const m of src.matchAll(literal)) keys.add(m[1]);
  }
  return keys;
}

test('every key the page uses is in en.js', () => {
  const missing = [...usedKeys()].filter((k) => !(k in en));
  assert.deepEqual(missing, []);
});

test('every language has the English keys', async () => {
  for (const f of readdirSync(join(dir, 'i18n'))) {
    const table = (await import('./i18n/' + f)).default;
    const missing = Object.keys(en).filter((k) => !(k in table));
    assert.deepEqual(missing, [], f);
  }
});

test('the language comes from ?lang, then the stored choice, then the browser', () => {
  assert.equal(pickLanguage('?lang=zh', 'en', ['en-US']), 'zh');
  assert.equal(pickLanguage('', 'zh', ['en-US']), 'zh');
  assert.equal(pickLanguage('', null, ['fr-FR', 'zh-CN']), 'zh');
  assert.equal(pickLanguage('?lang=xx', null, ['fr']), 'en');
  assert.equal(setLanguage('zh'), 'zh');
  assert.equal(t('lane.diverged', { step: 7 }), '在第 7 步发散');
  assert.equal(setLanguage('xx'), 'en');
  assert.equal(t('lane.diverged', { step: 7 }), 'diverged at step 7');
});

// The catalogue comes from the server's registry: tests/web_unit.rs writes it to the file
// named by DOWNHILL_CATALOG before it runs these tests.
test('every optimiser of the catalogue has a Chinese description', { skip: !process.env.DOWNHILL_CATALOG && 'DOWNHILL_CATALOG is not set (run through cargo test)' }, async () => {
  const catalog = JSON.parse(readFileSync(process.env.DOWNHILL_CATALOG, 'utf8'));
  const zh = (await import('./i18n/zh.js')).default;
  const names = catalog.optimizers.map((o) => o.name);
  assert.ok(names.length >= 20, names.join(', '));
  assert.deepEqual(names.filter((n) => !zh['optim.' + n]), []);
  setLanguage('zh');
  assert.equal(optimizerDoc({ name: 'adam', doc: 'English' }), zh['optim.adam']);
  setLanguage('en');
  assert.equal(optimizerDoc({ name: 'adam', doc: 'English' }), 'English');
});
