// node --test: every key the page uses is in the English table, and every other language's
// table has exactly the English keys (a missing key fails, naming it).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import en from './i18n/en.js';
import { pickLanguage, setLanguage, t } from './i18n.js';

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
