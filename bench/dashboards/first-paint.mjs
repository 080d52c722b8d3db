// First paint of a 12-panel dashboard: navigation start → all 12 panels drawn (data-state=ready), in a
// signed-in Chromium against a running portal (loopback only). Cold: the first visit after the panel
// cache expired; warm: later visits. Also takes screenshots of the dashboard and of Home's kiosk mode.
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.OPSPORTAL_URL ?? 'http://127.0.0.1:5080';
const email = process.env.OPSPORTAL_EMAIL, password = process.env.OPSPORTAL_PASSWORD;
const runs = Number(process.env.RUNS ?? 10);
const shots = process.env.SCREENSHOTS ?? '/tmp/opsportal-dashboard-shots';
if (!/^http:\/\/(127\.|localhost|\[::1\])/.test(base)) throw new Error('loopback targets only');

async function api(tok, method, path, body) {
  const r = await fetch(`${base}${path}`, {
    method, headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

const tok = (await (await fetch(`${base}/api/auth/tokens`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, name: 'dashboard-bench' }),
})).json()).token;

const logs = (title, measure, extra = {}) => ({ title, source: 'Logs', query: '', measure, display: 'Line', width: 4, ...extra });
const panels = [
  logs('Requests / s', 'rate', { display: 'Area', compareLastWeek: true }), logs('5xx %', 'error_ratio'), logs('p95 backend', 'p95'),
  logs('Requests', 'requests', { display: 'Bar' }), logs('5xx', 'errors', { display: 'Number' }), logs('p99 backend', 'p99'),
  logs('p50 backend', 'p50', { smooth: 5 }), logs('4xx %', 'client_error_ratio'), logs('By host', 'requests', { split: 'host', display: 'Table' }),
  logs('By path', 'rate', { split: 'path' }), logs('Requests now', 'rate', { display: 'Number' }), logs('5xx by host', 'errors', { split: 'host' }),
];
const dashboard = await api(tok, 'POST', '/api/dashboards', { title: `Bench ${new Date().toISOString()}`, panels });

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
const page = await context.newPage();
await page.goto(`${base}/account/login`);
await page.fill('#email', email);
await page.fill('#password', password);
await page.click('[data-testid=sign-in]');
await page.waitForSelector('[data-interactive=true]');

const times = [];
for (let i = 0; i < runs; i++) {
  // Each run a fresh range (24 h, 6 h, 1 h, …) for the first visit of each: cold cache; repeated: warm.
  const started = Date.now();
  await page.goto(`${base}/dashboards/${dashboard.id}?range=${['24h', '6h', '1h'][i % 3]}`);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=dashboard-panel][data-state=ready]').length === 12, null, { timeout: 60_000 });
  times.push({ run: i + 1, cold: i < 3, ms: Date.now() - started });
}
fs.mkdirSync(shots, { recursive: true });
await page.screenshot({ path: `${shots}/dashboard.png` });
await page.goto(`${base}/?kiosk`);
await page.waitForTimeout(4000);
await page.screenshot({ path: `${shots}/kiosk.png` });
await browser.close();
await api(tok, 'DELETE', `/api/dashboards/${dashboard.id}`);

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const cold = sorted(times.filter(t => t.cold).map(t => t.ms)), warm = sorted(times.filter(t => !t.cold).map(t => t.ms));
console.log(JSON.stringify({ runs: times, coldMedianMs: cold[Math.floor(cold.length / 2)], warmMedianMs: warm[Math.floor(warm.length / 2)], screenshots: shots }, null, 1));
