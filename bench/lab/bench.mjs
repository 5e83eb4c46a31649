// The lab under load (issue 15): 200 concurrent POST /api/run, each answer checked against
// the one reference answer (p50/p99 latency and wall time), then the input-to-redraw
// latency of the Functions view with 4 lanes × 1000 steps in Debian's chromium: from the
// pointer event on the contour to the new paths drawn (window.__lab, measured by the page).
// Usage: node bench.mjs URL   (run.sh starts a release server and calls this)
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../crates/downhill-lab/tests/browser/package.json'));
const { chromium } = require('playwright-core');
const url = process.argv[2];
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]; };

const body = JSON.stringify({
  problem: { function: 'rosenbrock', x0: [-1.5, 2.0] },
  optimizer: { name: 'sgd', lr: 0.001, momentum: 0.9 },
  run: { steps: 1000 },
});
const post = () => fetch(url + '/api/run', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
const reference = await (await post()).text();
for (const n of [200]) {
  const t0 = performance.now();
  const lat = await Promise.all(Array.from({ length: n }, async () => {
    const s = performance.now();
    const r = await post();
    const text = await r.text();
    if (r.status !== 200 || text !== reference) throw new Error('wrong answer: ' + r.status + ' ' + text.slice(0, 200));
    return performance.now() - s;
  }));
  const wall = performance.now() - t0;
  console.log(`${n} concurrent /api/run (rosenbrock, sgd, 1000 steps): all ${n} correct; ` +
    `p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms, ` +
    `wall ${wall.toFixed(0)} ms (${(n / wall * 1000).toFixed(0)} requests/s)`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
const lane = (optimizer, lr, mom) => ({ optimizer, lr, mom, nesterov: false, variant: 'heavy_ball', schedule: '', sp: null });
const state = {
  view: 'functions', fn: 'rosenbrock', expr: '', x0: [-1.5, 2], steps: 1000, scrub: null,
  lanes: [lane('sgd', 0.001, 0.9), lane('adam', 0.05, 0.9), lane('rmsprop', 0.01, 0), lane('momentum', 0.001, 0.9)],
};
await page.goto(url + '/#' + encodeURIComponent(JSON.stringify(state)), { waitUntil: 'load' });
await page.waitForFunction(() => window.__lab && window.__lab.redraws >= 1, null, { timeout: 60000 });
const box = await page.locator('[data-testid=contour]').boundingBox();
const samples = [];
await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
await page.mouse.down();
for (let i = 0; i < 40; i++) {
  const before = await page.evaluate(() => window.__lab.redraws);
  await page.mouse.move(box.x + box.width * (0.3 + 0.01 * i), box.y + box.height * (0.3 + 0.005 * i));
  await page.waitForFunction((n) => window.__lab.redraws > n, before, { timeout: 60000 });
  samples.push(await page.evaluate(() => window.__lab.last_ms));
}
await page.mouse.up();
const lanes = await page.$$eval('#overlay polyline', (ps) => ps.length);
console.log(`input-to-redraw, ${lanes} lanes × 1000 steps while dragging (40 moves): ` +
  `p50 ${pct(samples, 50).toFixed(1)} ms, p90 ${pct(samples, 90).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms (target ≤ 50 ms)`);
await browser.close();
