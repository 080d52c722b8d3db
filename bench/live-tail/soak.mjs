// Live tail under load: 2,000 lines/s for 60 s into a portal while a browser tails them in Live
// mode. Reports the server's RSS before/after, how long the page takes to answer a click
// (Pause) at the end, and what the page says it skipped. Loopback only; stops by itself.
//   OPSPORTAL_URL=… OPSPORTAL_EMAIL=… OPSPORTAL_PASSWORD=… SERVER_PID=… node soak.mjs
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const base = process.env.OPSPORTAL_URL ?? 'http://127.0.0.1:5080';
const email = process.env.OPSPORTAL_EMAIL, password = process.env.OPSPORTAL_PASSWORD;
const pid = process.env.SERVER_PID, seconds = Number(process.env.SECONDS_TO_RUN ?? 60), perSecond = 2000;
if (!/^http:\/\/(127\.|localhost|\[::1\])/.test(base)) throw new Error('loopback targets only');
const rss = () => pid ? Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024) : null;

const { token } = await (await fetch(`${base}/api/auth/tokens`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, name: 'soak' }),
})).json();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
await page.goto(`${base}/account/login`);
await page.fill('#email', email);
await page.fill('#password', password);
await page.click('[data-testid=sign-in]');
await page.waitForSelector('[data-interactive=true]');
await page.goto(`${base}/logs?range=15m&q=${encodeURIComponent('path:/soak/*')}`);
await page.waitForSelector('[data-interactive=true]');
await page.click('[data-testid=live-toggle]');
await page.waitForSelector('[data-testid=live-tail][data-subscribed=true]');

const before = rss();
const batch = perSecond / 10;
let sent = 0;
const started = Date.now();
for (let tick = 0; tick < seconds * 10; tick++) {
  const stamp = new Date().toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1/$2/$3:$4 +0000');
  let body = '';
  for (let i = 0; i < batch; i++) body += `10.5.0.${i % 250} - - [${stamp}] "GET /soak/${tick}/${i} HTTP/1.1" 200 1 "-" "soak"\n`;
  await fetch(`${base}/api/logs?format=combined&host=soak`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body,
  });
  sent += batch;
  const wait = started + (tick + 1) * 100 - Date.now();
  if (wait > 0) await new Promise(r => setTimeout(r, wait));
}
const elapsed = (Date.now() - started) / 1000;
const clickStarted = performance.now();
await page.click('[data-testid=live-pause]');
await page.waitForSelector('[data-testid=live-pause]:has-text("Resume")', { timeout: 10000 });
const clickMs = performance.now() - clickStarted;
const skipped = await page.locator('[data-testid=live-skipped]').textContent().catch(() => '0 lines skipped');
const rows = await page.locator('[data-testid=log-row]').count();
const after = rss();
await browser.close();
console.log(`sent ${sent} lines in ${elapsed.toFixed(1)} s (${(sent / elapsed).toFixed(0)}/s); page shows ${rows} rows, says "${skipped?.trim()}"; Pause answered in ${clickMs.toFixed(0)} ms; server RSS ${before} → ${after} MiB`);
