// The screenshots of docs/screenshots/: every view in English and Chinese, 1300 px wide and
// 800 px wide (full page). The Training view shows seed 001's batch-1 and batch-1000 presets
// on one chart, so run it against a lab that lists the tour's presets (`downhill lab`).
// Usage: node screenshots.mjs URL OUTDIR   (prints one JSON line; exit 1 on a failure)
import { join } from 'node:path';
import { start } from './common.mjs';

const [url, out] = process.argv.slice(2);
const { browser, errors, checks, fail, watch } = await start(out);
const finished = (page, steps) => page.waitForFunction((n) => {
  const x = document.querySelector('[data-testid=train-status]').textContent;
  return x.includes(`(${n} steps)`) || x.includes(`（${n} 步）`) || /error|错误/.test(x);
}, steps, { timeout: 180000, polling: 100 });

try {
  checks.shots = [];
  for (const lang of ['en', 'zh']) {
    const sfx = lang === 'en' ? '' : '-zh';
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    watch(page);
    await page.goto(`${url}/?lang=${lang}`, { waitUntil: 'load' });
    await page.waitForFunction(() => Number(document.body.getAttribute('data-redraws') || 0) >= 1, null, { timeout: 60000, polling: 100 });
    await page.waitForTimeout(300);
    const shot = async (name, full) => {
      await page.screenshot({ path: join(out, name + sfx + '.png'), fullPage: !!full });
      checks.shots.push(name + sfx);
    };
    const narrow = async (name) => {
      await page.setViewportSize({ width: 800, height: 900 });
      await page.waitForTimeout(300);
      await shot(name + '-800', true);
      await page.setViewportSize({ width: 1300, height: 1000 });
      await page.waitForTimeout(300);
    };
    await shot('functions-wide');
    await narrow('functions');
    // training: seed 001's batch 1 and batch 1000 on one chart
    await page.waitForSelector('[data-testid=presets] option[value="seed001-minibatch-b1-lr0.2"]', { state: 'attached', timeout: 60000 });
    await page.selectOption('[data-testid=presets]', 'seed001-minibatch-b1-lr0.2');
    await finished(page, 3000);
    await page.selectOption('[data-testid=presets]', 'seed001-minibatch-b1000-lr0.999');
    await finished(page, 3);
    await page.waitForTimeout(300);
    await shot('training-wide');
    await narrow('training');
    // schedules: the default one-cycle schedule
    await page.click('[data-testid=tab-schedules]');
    await page.waitForSelector('[data-testid=schedule-plot] svg path', { timeout: 60000 });
    await page.waitForTimeout(300);
    await shot('schedules-wide');
    await narrow('schedules');
    await page.close();
  }
  if (errors.length) await fail('console errors');
  console.log(JSON.stringify({ ok: true, checks, errors }));
  await browser.close();
} catch (e) {
  await fail(String(e && e.stack || e));
}
