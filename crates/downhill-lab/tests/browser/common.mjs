// What the browser scripts share: Debian's chromium launched headless, the console errors
// collected, and `fail(why)`, which prints the one JSON line and exits 1.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

// Launches chromium; `{ browser, errors, checks, fail }`, screenshots going to `out`.
export async function start(out) {
  mkdirSync(out, { recursive: true });
  const errors = [];
  const checks = {};
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
  });
  const fail = async (why) => {
    console.log(JSON.stringify({ ok: false, why, checks, errors }));
    await browser.close();
    process.exit(1);
  };
  // Every page: console errors collected, and a minute (not playwright's 30 s) for each
  // action, as a loaded two-core CI host needs.
  const watch = (page) => {
    page.setDefaultTimeout(60000);
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
  };
  return { browser, errors, checks, fail, watch };
}
