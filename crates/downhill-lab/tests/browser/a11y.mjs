// Issue 26's keyboard and error checks in Debian's chromium: a bad formula shows its message
// next to the formula field and clears the stale contour; the map is focusable, has an
// accessible name, arrow keys move x0 (no run), Enter runs; every control of every view has
// an accessible name (chromium's own accessibility tree).
// Usage: node a11y.mjs URL OUTDIR   (prints one JSON line; exit 1 on a failed check)
import { join } from 'node:path';
import { start } from './common.mjs';

const [url, out] = process.argv.slice(2);
const { browser, errors, checks, fail, watch } = await start(out);
const redraws = (page) => page.evaluate(() => Number(document.body.getAttribute('data-redraws') || 0));
const waitRedraw = (page, n) => page.waitForFunction((k) => Number(document.body.getAttribute('data-redraws') || 0) > k, n, { timeout: 60000, polling: 100 });
// The controls chromium exposes without a name: role and test id (or tag).
async function unnamed(page) {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  const roles = new Set(['button', 'textbox', 'combobox', 'listbox', 'slider', 'checkbox', 'spinbutton', 'radio', 'switch', 'application', 'searchbox']);
  const bad = [];
  for (const n of nodes) {
    const role = n.role && n.role.value;
    if (n.ignored || !roles.has(role) || (n.name && String(n.name.value).trim())) continue;
    let what = role;
    if (n.backendDOMNodeId) {
      const { node } = await cdp.send('DOM.describeNode', { backendNodeId: n.backendDOMNodeId });
      const a = node.attributes || [];
      const i = a.indexOf('data-testid');
      what += ' ' + (i >= 0 ? a[i + 1] : node.nodeName);
    }
    bad.push(what);
  }
  checks.controls_seen = (checks.controls_seen || 0) + nodes.filter((n) => !n.ignored && roles.has(n.role && n.role.value)).length;
  await cdp.detach();
  return bad;
}

try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  watch(page);
  await page.goto(url + '/?lang=en', { waitUntil: 'load' });
  await waitRedraw(page, 0);

  // --- 1. a bad formula: its message beside the field, the old contour gone
  checks.contour_before = await page.locator('#contour-img').evaluate((e) => !!e.getAttribute('src'));
  await page.fill('[data-testid=formula]', 'x +* y');
  await page.press('[data-testid=formula]', 'Enter');
  const msg = page.locator('[data-testid=formula-error]');
  await msg.waitFor({ state: 'visible', timeout: 10000 });
  checks.formula_message = await msg.textContent();
  const [fb, mb] = [await page.locator('[data-testid=formula]').boundingBox(), await msg.boundingBox()];
  checks.formula_gap = { dx: Math.round(mb.x - (fb.x + fb.width)), dy: Math.round(mb.y - fb.y) };
  checks.stale = await page.evaluate(() => ({
    image: !!document.getElementById('contour-img').getAttribute('src') || !document.getElementById('contour-img').hidden,
    overlay: document.getElementById('overlay').childElementCount,
    scale_hidden: document.querySelector('[data-testid=colour-scale]').hidden,
  }));
  checks.formula_invalid = await page.locator('[data-testid=formula]').getAttribute('aria-invalid');
  if (!checks.contour_before) await fail('no contour before the bad formula');
  if (!checks.formula_message.trim()) await fail('the formula error is empty');
  // beside the field: to its right on the same line, or right below it
  const beside = (checks.formula_gap.dx >= -2 && checks.formula_gap.dx < 40 && Math.abs(checks.formula_gap.dy) < fb.height)
    || (mb.y >= fb.y + fb.height - 2 && mb.y < fb.y + fb.height + 40 && mb.x < fb.x + fb.width);
  if (!beside) await fail('the formula error is not next to the formula field');
  if (checks.formula_invalid !== 'true') await fail('the formula field is not marked invalid');
  if (checks.stale.image || checks.stale.overlay || !checks.stale.scale_hidden) await fail('the stale contour is still shown');
  await page.screenshot({ path: join(out, 'formula-error.png') });

  // --- 2. the map by keyboard
  let n = await redraws(page);
  await page.fill('[data-testid=formula]', '');
  await page.press('[data-testid=formula]', 'Enter');
  await waitRedraw(page, n);
  const map = page.locator('[data-testid=map]');
  checks.map = await map.evaluate((e) => ({ tabindex: e.getAttribute('tabindex'), label: e.getAttribute('aria-label') }));
  if (checks.map.tabindex !== '0' || !checks.map.label) await fail('the map is not focusable with a name');
  const runs = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/run')) runs.push(r.url()); });
  const x0 = () => page.locator('[data-testid=x0-input]').inputValue();
  const start0 = await x0();
  await map.focus();
  checks.map_focused = await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('data-testid'));
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowUp');
  const moved = await x0();
  const [a, b] = [start0, moved].map((s) => s.split(',').map(Number));
  checks.x0_keys = { before: start0, after: moved };
  await page.waitForTimeout(300);
  checks.runs_on_arrows = runs.length;
  n = await redraws(page);
  await page.keyboard.press('Enter');
  await waitRedraw(page, n);
  checks.runs_on_enter = runs.length;
  if (checks.map_focused !== 'map') await fail('the map does not take focus');
  if (!(b[0] > a[0] && b[1] > a[1])) await fail('arrow keys do not move x0 right and up');
  if (checks.runs_on_arrows !== 0) await fail('arrow keys sent a run before Enter');
  if (checks.runs_on_enter < 1) await fail('Enter on the map does not run');
  await page.screenshot({ path: join(out, 'map-keyboard.png') });

  // --- 3. every control of every view has an accessible name (English and Chinese)
  checks.unnamed = {};
  for (const lang of ['en', 'zh']) {
    const p = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    watch(p);
    await p.goto(url + '/?lang=' + lang, { waitUntil: 'load' });
    await waitRedraw(p, 0);
    for (const view of ['functions', 'training', 'schedules']) {
      await p.click(`[data-testid=tab-${view}]`);
      await p.waitForTimeout(300);
      const bad = await unnamed(p);
      if (bad.length) checks.unnamed[`${lang}/${view}`] = bad;
    }
    await p.close();
  }
  if (Object.keys(checks.unnamed).length) await fail('controls without an accessible name');
  if (checks.controls_seen < 30) await fail('too few controls seen: ' + checks.controls_seen);
  // the bad formula's own 400 is the one error expected
  const unexpected = errors.filter((e) => !/status of 400/.test(e));
  if (unexpected.length) await fail('console errors');
  console.log(JSON.stringify({ ok: true, checks }));
  await browser.close();
} catch (e) {
  await fail(String(e && e.stack || e));
}
