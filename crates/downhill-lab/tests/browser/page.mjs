// Issue 26's acceptance in Debian's chromium: ill_conditioned + sgd at lr 0.55 shows
// "diverged" in red; "abc" in an lr field shows a message and sends no run; closing a page
// with a running job leaves no job running within 2 s (GET /api/train); no horizontal
// overflow at 800 × 900; Play animates; the Chinese page renders with no missing keys; a
// colour scale beside the map; a training run draws its per-batch loss (raw and smoothed) and,
// for a classifier, its accuracy. Screenshots of each view, wide and 800 px.
// Usage: node page.mjs URL OUTDIR   (prints one JSON line; exit 1 on a failed check)
import { join } from 'node:path';
import { start } from './common.mjs';

const [url, out] = process.argv.slice(2);
const { browser, errors, checks, fail, watch } = await start(out);
const redraws = (page) => page.evaluate(() => Number(document.body.getAttribute('data-redraws') || 0));
// Polled every 100 ms rather than on animation frames, which a page in the background may not get.
const waitRedraw = (page, n) => page.waitForFunction((k) => Number(document.body.getAttribute('data-redraws') || 0) > k, n, { timeout: 60000, polling: 100 });
// Waits until the training status matches `re`; on timeout the error quotes the status last seen.
async function waitStatus(page, re, timeout) {
  const t0 = Date.now();
  let text = '';
  for (;;) {
    text = (await page.textContent('[data-testid=train-status]')) || '';
    if (re.test(text)) return text;
    if (Date.now() - t0 > timeout) throw new Error(`the training status did not match ${re} within ${timeout} ms; it reads "${text}"`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
async function open(width, height, suffix = '') {
  const page = await browser.newPage({ viewport: { width, height } });
  watch(page);
  await page.goto(url + '/' + suffix, { waitUntil: 'load' });
  await waitRedraw(page, 0);
  return page;
}
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
const running = async () => (await (await fetch(url + '/api/train')).json());

// When each section began (ms since the start), in the JSON line: a slow host shows where.
const began = Date.now();
checks.section_ms = {};
const section = (k) => { checks.section_ms[k] = Date.now() - began; };

try {
  section(1);
  // --- 1. ill_conditioned, sgd, lr 0.55: "diverged" in red, in the lane and the loss panel
  const page = await open(1300, 1000);
  await page.screenshot({ path: join(out, 'functions-wide.png') });
  let n = await redraws(page);
  await page.selectOption('[data-testid=function]', 'ill_conditioned');
  await waitRedraw(page, n);
  n = await redraws(page);
  await page.fill('[data-testid=lane-0-momentum]', '0');
  await page.press('[data-testid=lane-0-momentum]', 'Enter');
  await waitRedraw(page, n);
  n = await redraws(page);
  await page.fill('[data-testid=lane-0-lr]', '0.55');
  await page.press('[data-testid=lane-0-lr]', 'Enter');
  await waitRedraw(page, n);
  const status = page.locator('[data-testid=lane-0-status]');
  checks.diverged_text = await status.textContent();
  checks.diverged_color = await status.evaluate((e) => getComputedStyle(e).color);
  checks.loss_mark = await page.locator('[data-testid=loss-panel] [data-testid=diverged-mark]').count();
  checks.capped = await page.locator('[data-testid=loss-panel] [data-testid=capped]').count();
  if (!/diverged at step \d+/.test(checks.diverged_text)) await fail('no "diverged at step k"');
  if (checks.diverged_color !== 'rgb(180, 35, 24)') await fail('"diverged" is not red');
  if (checks.loss_mark < 1) await fail('the loss panel does not mark the divergence');
  // the colour scale beside the map: a bar and at least three labelled ticks
  checks.colour_scale = await page.locator('[data-testid=colour-scale]').evaluate((e) => ({
    hidden: e.hidden, ticks: [...e.querySelectorAll('.tick')].map((x) => x.textContent),
    bar: (e.querySelector('.bar') || { getBoundingClientRect: () => ({ height: 0 }) }).getBoundingClientRect().height,
    gradient: /gradient/.test(getComputedStyle(e.querySelector('.bar')).backgroundImage),
  }));
  if (checks.colour_scale.hidden || checks.colour_scale.ticks.length < 3 || checks.colour_scale.bar < 100 || !checks.colour_scale.gradient) await fail('no colour scale beside the map');
  await page.screenshot({ path: join(out, 'diverged-wide.png') });

  section(2);
  // --- 2. "abc" in an lr field: a visible message, and no run is sent
  const runs = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/run')) runs.push(r.url()); });
  await page.fill('[data-testid=lane-1-lr]', 'abc');
  await page.press('[data-testid=lane-1-lr]', 'Enter');
  const msg = page.locator('[data-testid=lane-1-lr-error]');
  await msg.waitFor({ state: 'visible', timeout: 30000 });
  checks.abc_message = await msg.textContent();
  checks.abc_outline = await page.locator('[data-testid=lane-1-lr]').evaluate((e) => getComputedStyle(e).outlineColor);
  // a change elsewhere must not run either while the field is wrong
  await page.fill('[data-testid=steps]', '50');
  await page.press('[data-testid=steps]', 'Enter');
  await page.waitForTimeout(500);
  checks.runs_sent = runs.length;
  if (!/abc/.test(checks.abc_message)) await fail('no message for "abc"');
  if (runs.length) await fail('a run was sent with "abc" in an lr field');
  await page.screenshot({ path: join(out, 'invalid-lr.png') });
  // Steps above the limit says so
  await page.fill('[data-testid=steps]', '20000');
  await page.press('[data-testid=steps]', 'Enter');
  checks.steps_message = await page.locator('[data-testid=steps-error]').textContent();
  if (!/10000/.test(checks.steps_message)) await fail('steps above the limit are not reported');
  await page.close();

  section(3);
  // --- 3. Play animates the paths
  const p3 = await open(1300, 1000);
  const marker = () => p3.locator('[data-testid=lane-0-marker]').evaluate((e) => e.getAttribute('cx') + ',' + e.getAttribute('cy'));
  await p3.click('[data-testid=play]');
  const seen = new Set();
  for (let i = 0; i < 12; i++) { seen.add(await marker()); await p3.waitForTimeout(150); }
  checks.play_positions = seen.size;
  if (seen.size < 4) await fail('Play does not move the markers');
  await p3.waitForFunction(() => !document.body.hasAttribute('data-playing'), null, { timeout: 60000, polling: 100 });
  await p3.close();

  section(4);
  // --- 4. no horizontal overflow at 800 × 900, in every view; narrow screenshots
  const p4 = await open(800, 900);
  checks.overflow = {};
  checks.overflow.functions = await overflow(p4);
  await p4.screenshot({ path: join(out, 'functions-800.png'), fullPage: true });
  await p4.click('[data-testid=tab-training]');
  checks.overflow.training = await overflow(p4);
  await p4.click('[data-testid=tab-schedules]');
  await p4.waitForSelector('[data-testid=schedule-plot] svg path', { timeout: 60000 });
  checks.overflow.schedules = await overflow(p4);
  await p4.screenshot({ path: join(out, 'schedules-800.png'), fullPage: true });
  await p4.close();
  if (Object.values(checks.overflow).some((v) => v > 0)) await fail('horizontal overflow at 800 px');

  section(5);
  // --- 5. a job ends when its page closes
  const p5 = await open(1300, 1000);
  await p5.click('[data-testid=tab-training]');
  await p5.selectOption('[data-testid=train-dataset]', 'digits');
  await p5.fill('[data-testid=train-epochs]', '5000');
  await p5.fill('[data-testid=train-batch]', '1');
  await p5.click('[data-testid=train-start]');
  checks.train_started = await waitStatus(p5, /running/, 120000);
  // the page stays responsive while the job streams hundreds of epochs a second (it froze:
  // every epoch record redrew the whole chart)
  checks.answer_ms = [];
  for (let i = 0; i < 8; i++) {
    const a = Date.now();
    await Promise.race([p5.evaluate(() => 1), new Promise((r) => setTimeout(r, 5000))]);
    checks.answer_ms.push(Date.now() - a);
    await new Promise((r) => setTimeout(r, 300));
  }
  if (Math.max(...checks.answer_ms) > 2000) await fail('the page stops answering while a job streams its epochs');
  checks.jobs_before_close = (await running()).length;
  if (checks.jobs_before_close < 1) await fail('GET /api/train does not list the running job');
  await p5.close();
  const t0 = Date.now();
  let left = await running();
  while (left.length && Date.now() - t0 < 2000) { await new Promise((r) => setTimeout(r, 100)); left = await running(); }
  checks.jobs_after_close = left.length;
  checks.close_ms = Date.now() - t0;
  if (left.length) await fail('a job still runs 2 s after its page closed');

  section(6);
  // --- 6. the training view, wide and narrow, with a finished run; schedules wide
  const p6 = await open(1300, 1000);
  await p6.click('[data-testid=tab-training]');
  await p6.fill('[data-testid=train-epochs]', '30');
  await p6.click('[data-testid=train-start]');
  await waitStatus(p6, /completed|stopped|diverged|error/, 120000);
  checks.train_status = await p6.textContent('[data-testid=train-status]');
  // per-batch loss (raw and smoothed) beside the per-epoch one; accuracy for a classifier
  checks.train_curves = await p6.evaluate(() => {
    const svg = document.querySelector('[data-testid=train-loss] svg');
    const segs = (sel) => { const p = document.querySelector(sel); return p ? (p.getAttribute('d').match(/L/g) || []).length : 0; };
    const acc = document.querySelector('[data-testid=train-accuracy]');
    return {
      batch_points: Number(svg.getAttribute('data-batch-points')), epoch_points: Number(svg.getAttribute('data-points')),
      raw: segs('[data-testid$=-batches]'), smoothed: segs('[data-testid$=-smoothed]'),
      accuracy_shown: !acc.hidden, accuracy_dots: acc.querySelectorAll('circle').length,
    };
  });
  const tc = checks.train_curves;
  if (!(tc.batch_points > tc.epoch_points && tc.raw > 100 && tc.smoothed > 100)) await fail('no per-batch loss curve');
  if (!tc.accuracy_shown || tc.accuracy_dots < 10) await fail('no accuracy chart for a classifier');
  await p6.screenshot({ path: join(out, 'training-wide.png') });
  await p6.setViewportSize({ width: 800, height: 900 });
  await p6.waitForTimeout(200);
  await p6.screenshot({ path: join(out, 'training-800.png'), fullPage: true });
  await p6.setViewportSize({ width: 1300, height: 1000 });
  await p6.click('[data-testid=tab-schedules]');
  await p6.waitForSelector('[data-testid=schedule-plot] svg path', { timeout: 60000 });
  await p6.screenshot({ path: join(out, 'schedules-wide.png') });
  // "stop all" leaves nothing running
  await p6.click('[data-testid=tab-training]');
  await p6.click('[data-testid=train-stop-all]');
  checks.after_stop_all = (await running()).length;

  section(7);
  // --- 7. the Chinese page: every text from the zh table, no key shown raw, in every view
  const p7 = await open(1300, 1000, '?lang=zh');
  checks.zh = { lang: await p7.evaluate(() => document.documentElement.lang), tab: await p7.textContent('[data-testid=tab-functions]') };
  const rawKeys = () => p7.evaluate(() => {
    const keyLike = /\b(title|note|tab|lang|preset|btn|fn|help|lane|sched|sc|path|scrub|download|chart|tr|train|err|key)\.[a-z0-9_]+\b/;
    const texts = [...document.querySelectorAll('body *')].filter((e) => !e.closest('[hidden]') && e.children.length === 0)
      .map((e) => e.textContent + ' ' + (e.getAttribute('title') || '') + ' ' + (e.getAttribute('placeholder') || '') + ' ' + (e.getAttribute('aria-label') || ''));
    return texts.filter((x) => keyLike.test(x)).slice(0, 5);
  });
  checks.zh.raw_keys = await rawKeys();
  await p7.click('[data-testid=tab-training]');
  checks.zh.raw_keys.push(...await rawKeys());
  await p7.click('[data-testid=tab-schedules]');
  await p7.waitForSelector('[data-testid=schedule-plot] svg path', { timeout: 60000 });
  checks.zh.raw_keys.push(...await rawKeys());
  checks.zh.switch = await p7.inputValue('[data-testid=lang]');
  if (checks.zh.lang !== 'zh-Hans' || checks.zh.tab !== '函数' || checks.zh.switch !== 'zh') await fail('the Chinese page did not load');
  if (checks.zh.raw_keys.length) await fail('keys shown raw on the Chinese page');

  section('end');
  if (errors.length) await fail('console errors');
  console.log(JSON.stringify({ ok: true, checks, errors }));
  await browser.close();
} catch (e) {
  await fail(String(e && e.stack || e));
}
