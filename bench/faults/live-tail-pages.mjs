// 20 Logs pages with live tail on, opened, held while lines arrive, then closed; the server's RSS
// before, while open, right after closing and 2 minutes later. Loopback only.
//   OPSPORTAL_URL=… OPSPORTAL_EMAIL=… OPSPORTAL_PASSWORD=… SERVER_PID=… TOKEN=… node live-tail-pages.mjs [PAGES]
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const base = process.env.OPSPORTAL_URL, pid = process.env.SERVER_PID, token = process.env.TOKEN;
const pages = Number(process.argv[2] ?? 20);
if (!/^http:\/\/(127\.|localhost|\[::1\])/.test(base)) throw new Error('loopback targets only');
const rss = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);
const sleep = ms => new Promise(r => setTimeout(r, ms));

let sending = true, sent = 0;
const traffic = (async () => {
  for (let tick = 0; sending; tick++) {
    const stamp = new Date().toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1/$2/$3:$4 +0000');
    let body = '';
    for (let i = 0; i < 20; i++) body += `10.6.0.${i} - - [${stamp}] "GET /tailpages/${tick}/${i} HTTP/1.1" 200 1 "-" "faults"\n`;
    await fetch(`${base}/api/logs?format=combined&host=tailpages`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body }).catch(() => {});
    sent += 20;
    await sleep(100);
  }
})();

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const context = await browser.newContext();
const login = await context.newPage();
await login.goto(`${base}/account/login`);
await login.fill('#email', process.env.OPSPORTAL_EMAIL);
await login.fill('#password', process.env.OPSPORTAL_PASSWORD);
await login.click('[data-testid=sign-in]');
await login.waitForSelector('[data-interactive=true]');
await login.close();
await sleep(5000);
const before = rss();

const open = [];
for (let i = 0; i < pages; i++) {
  const page = await context.newPage();
  await page.goto(`${base}/logs?range=15m&q=${encodeURIComponent('path:/tailpages/*')}`);
  await page.waitForSelector('[data-interactive=true]');
  await page.click('[data-testid=live-toggle]');
  await page.waitForSelector('[data-testid=live-tail][data-subscribed=true]');
  open.push(page);
}
await sleep(30000);
const whileOpen = rss();
for (const page of open) await page.close();
await context.close();
await browser.close();
await sleep(5000);
const closed = rss();
await sleep(120000);
const later = rss();
sending = false;
await traffic;
console.log(`${pages} live-tail pages: server RSS ${before} MiB before, ${whileOpen} MiB with them open (${((whileOpen - before) / pages).toFixed(1)} MiB a page), ` +
  `${closed} MiB 5 s after closing, ${later} MiB 2 min later (${later - before >= 0 ? '+' : ''}${later - before} MiB vs before); ${sent} lines sent meanwhile`);
