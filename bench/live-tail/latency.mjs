// Live tail latency, measured in the browser: from the moment a line is POSTed to /api/logs until
// it is on screen in an open Logs page in Live mode. Loopback only; 20 probes, then it stops.
//   OPSPORTAL_URL=http://127.0.0.1:5080 OPSPORTAL_EMAIL=… OPSPORTAL_PASSWORD=… node latency.mjs
import { chromium } from 'playwright-core';

const base = process.env.OPSPORTAL_URL ?? 'http://127.0.0.1:5080';
const email = process.env.OPSPORTAL_EMAIL, password = process.env.OPSPORTAL_PASSWORD;
const probes = Number(process.env.PROBES ?? 20);
if (!/^http:\/\/(127\.|localhost|\[::1\])/.test(base)) throw new Error('loopback targets only');

const tokenResponse = await fetch(`${base}/api/auth/tokens`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, name: 'latency' }),
});
const { token } = await tokenResponse.json();

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
await page.goto(`${base}/account/login`);
await page.fill('#email', email);
await page.fill('#password', password);
await page.click('[data-testid=sign-in]');
await page.waitForSelector('[data-interactive=true]');
await page.goto(`${base}/logs?range=15m&q=${encodeURIComponent('path:/latency-probe/*')}`);
await page.waitForSelector('[data-interactive=true]');
await page.click('[data-testid=live-toggle]');
await page.waitForSelector('[data-testid=live-tail][data-subscribed=true]');

const times = [];
for (let i = 0; i < probes; i++) {
  const id = `${Date.now()}-${i}`;
  const now = new Date();
  const stamp = now.toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1/$2/$3:$4 +0000');
  const line = `127.0.0.1 - - [${stamp}] "GET /latency-probe/${id} HTTP/1.1" 200 1 "-" "latency"\n`;
  const started = performance.now();
  await fetch(`${base}/api/logs?format=combined&host=latency`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: line,
  });
  await page.waitForSelector(`td:has-text("/latency-probe/${id}")`, { timeout: 10000 });
  times.push(performance.now() - started);
  await page.waitForTimeout(300);
}
await browser.close();

times.sort((a, b) => a - b);
const at = q => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
console.log(`live tail, POST → on screen, ${times.length} probes: median ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${times.at(-1).toFixed(0)} ms`);
