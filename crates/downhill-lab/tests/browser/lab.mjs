// Drives the lab page in Debian's chromium: no console errors, a click on the contour
// changes the paths, sgd with lr = 10 on sphere reports divergence, a training run's loss
// plot grows, presets load without a reload (seed 001's batch 1 and batch 1000 runs added
// to one chart, each batch's loss drawn), and screenshots of every view.
// Usage: node lab.mjs URL OUTDIR   (prints one JSON line; exit 1 on a failed check)
import { join } from 'node:path';
import { start } from './common.mjs';

const [url, out] = process.argv.slice(2);
const { browser, errors, checks, fail, watch } = await start(out);
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  watch(page);
  const redraws = () => page.evaluate(() => Number(document.body.getAttribute('data-redraws') || 0));
  const paths = () => page.$$eval('#overlay polyline', (ps) => ps.map((p) => p.getAttribute('points')).join('|'));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => Number(document.body.getAttribute('data-redraws') || 0) >= 1, null, { timeout: 60000, polling: 100 });
  const before = await paths();
  checks.initial_paths = before.length > 0;
  await page.screenshot({ path: join(out, 'functions.png') });

  // a click on the contour moves x0 and redraws the paths
  const n0 = await redraws();
  const box = await page.locator('[data-testid=contour]').boundingBox();
  await page.mouse.click(box.x + box.width * 0.7, box.y + box.height * 0.3);
  await page.waitForFunction((n) => Number(document.body.getAttribute('data-redraws') || 0) > n, n0, { timeout: 60000, polling: 100 });
  await page.waitForTimeout(300);
  const after = await paths();
  checks.click_changes_paths = after.length > 0 && after !== before;
  if (!checks.click_changes_paths) await fail('paths did not change after a click');
  await page.screenshot({ path: join(out, 'functions-clicked.png') });

  // sphere, sgd, lr = 10: divergence reported
  await page.selectOption('[data-testid=function]', 'sphere');
  await page.waitForFunction(() => document.querySelector('#x0-label').textContent.includes('-3'), null, { timeout: 60000, polling: 100 });
  await page.selectOption('[data-testid=lane-0-optimizer]', 'sgd');
  await page.fill('[data-testid=lane-0-lr]', '10');
  await page.press('[data-testid=lane-0-lr]', 'Enter');
  await page.waitForFunction(() => /diverged at step \d+/.test(document.querySelector('[data-testid=lane-0-status]').textContent), null, { timeout: 60000, polling: 100 });
  checks.divergence = await page.textContent('[data-testid=lane-0-status]');
  await page.screenshot({ path: join(out, 'diverged.png') });

  // training: the loss plot grows while the run proceeds
  await page.click('[data-testid=tab-training]');
  await page.selectOption('[data-testid=train-dataset]', 'digits');
  await page.selectOption('[data-testid=train-model]', 'softmax');
  // long enough (a second or more) for several throttled redraws while it runs
  await page.fill('[data-testid=train-epochs]', '1000');
  await page.fill('[data-testid=train-batch]', '8');
  await page.fill('[data-testid=train-lr]', '0.05');
  await page.evaluate(() => {
    window.__points = [];
    const target = document.querySelector('[data-testid=train-loss]');
    new MutationObserver(() => {
      const svg = target.querySelector('svg');
      const n = svg ? Number(svg.getAttribute('data-points') || 0) : 0;
      if (window.__points[window.__points.length - 1] !== n) window.__points.push(n);
    }).observe(target, { childList: true, subtree: true });
  });
  await page.click('[data-testid=train-start]');
  await page.waitForFunction(() => /completed|stopped|diverged|error/.test(document.querySelector('[data-testid=train-status]').textContent), null, { timeout: 120000, polling: 100 });
  const points = await page.evaluate(() => window.__points);
  checks.train_points = points;
  checks.train_status = await page.textContent('[data-testid=train-status]');
  const grew = points.filter((n) => n > 0);
  checks.train_loss_grows = grew.length >= 3 && grew.every((n, i) => i === 0 || n > grew[i - 1]);
  if (!checks.train_loss_grows) await fail('the training plot did not grow step by step');
  if (!/completed/.test(checks.train_status)) await fail('training did not complete');
  await page.screenshot({ path: join(out, 'training.png') });

  await page.click('[data-testid=tab-schedules]');
  await page.waitForSelector('[data-testid=schedule-plot] svg path', { timeout: 60000 });
  await page.screenshot({ path: join(out, 'schedules.png') });

  // a preset (GET /api/presets) loads its state: seed 004's descent with lr = 0.1
  await page.waitForSelector('[data-testid=presets] option[value="seed004-gd-lr-0.1"]', { state: 'attached', timeout: 60000 });
  const n1 = await redraws();
  await page.selectOption('[data-testid=presets]', 'seed004-gd-lr-0.1');
  await page.waitForFunction((n) => Number(document.body.getAttribute('data-redraws') || 0) > n && document.querySelector('[data-testid=function]').value === 'sphere', n1, { timeout: 60000, polling: 100 });
  checks.preset = {
    function: await page.inputValue('[data-testid=function]'),
    steps: await page.inputValue('[data-testid=steps]'),
    lr: await page.inputValue('[data-testid=lane-0-lr]'),
  };
  if (checks.preset.steps !== '100' || checks.preset.lr !== '0.1') await fail('the preset did not load: ' + JSON.stringify(checks.preset));

  // training presets add their runs to the chart, without reloading the page: seed 001's
  // batch 1 and batch 1000 side by side, each batch's loss drawn
  await page.evaluate(() => { window.__same_page = true; });
  // a run's end: "completed … (N steps)" in the status, or an error
  const finished = (steps) => page.waitForFunction((n) => {
    const x = document.querySelector('[data-testid=train-status]').textContent;
    return x.includes(`(${n} steps)`) || /error|diverged|stopped/.test(x);
  }, steps, { timeout: 120000, polling: 100 });
  await page.click('[data-testid=tab-training]');
  await page.click('[data-testid=train-clear]');
  await page.selectOption('[data-testid=presets]', 'seed001-minibatch-b1-lr0.2');
  await finished(3000);
  await page.selectOption('[data-testid=presets]', 'seed001-minibatch-b1000-lr0.999');
  await finished(3);
  checks.presets_added = await page.evaluate(() => ({
    same_page: window.__same_page === true,
    view: document.querySelector('[data-testid=tab-training]').getAttribute('aria-selected'),
    curves: [...document.querySelectorAll('[data-testid=train-loss] [data-testid$=-batches]')].map((p) => (p.getAttribute('d').match(/[ML]/g) || []).length),
  }));
  const pa = checks.presets_added;
  if (!pa.same_page) await fail('a preset reloaded the page');
  if (pa.curves.length !== 2 || pa.curves[0] < 3000 || pa.curves[1] !== 3) await fail('seed 001 presets: expected 3000 and 3 batch points: ' + JSON.stringify(pa));
  await page.screenshot({ path: join(out, 'training-presets.png') });

  if (errors.length) await fail('console errors');
  console.log(JSON.stringify({ ok: true, checks, errors }));
  await browser.close();
} catch (e) {
  await fail(String(e && e.stack || e));
}
