// Memory of many Logs pages with live tail on, and what comes back when they close (issue 14.6).
// Opens PAGES pages (one circuit each) on /logs with Live on while lines trickle in (RATE/s, all
// matching, so every tail fills to its cap), then closes them all. Prints the server's RSS before,
// with the pages open (and per page), and every 10 s for 150 s after they closed. Loopback only.
//   OPSPORTAL_URL=… OPSPORTAL_EMAIL=… OPSPORTAL_PASSWORD=… SERVER_PID=… [PAGES=20] [RATE=200] node pages.mjs
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const base = process.env.OPSPORTAL_URL ?? 'http://127.0.0.1:5080';
const email = process.env.OPSPORTAL_EMAIL, password = process.env.OPSPORTAL_PASSWORD;
const pid = process.env.SERVER_PID;
const pages = Number(process.env.PAGES ?? 20), rate = Number(process.env.RATE ?? 200);
if (!/^http:\/\/(127\.|localhost|\[::1\])/.test(base)) throw new Error('loopback targets only');
if (!pid) throw new Error('set SERVER_PID');
const rss = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const sleep = ms => new Promise(r => setTimeout(r, ms));
const log = s => console.log(`${new Date().toISOString().slice(11, 19)} ${s} (load ${load()})`);
// Diagnosis only (GCDUMP=path-to-dotnet-gcdump): a heap dump with the pages open and at the end. Each runs a
// full GC, so the figures after the first one no longer show what the server does on its own.
const gcdump = name => {
  if (!process.env.GCDUMP) return;
  execFileSync(process.env.GCDUMP, ['collect', '-p', pid, '-o', `${process.env.GCDUMP_DIR ?? '.'}/${name}.gcdump`], { stdio: 'ignore' });
  log(`gcdump ${name}: ${execFileSync(process.env.GCDUMP, ['report', `${process.env.GCDUMP_DIR ?? '.'}/${name}.gcdump`], { maxBuffer: 1 << 28 }).toString().split('\n')[0].trim()}; ${rss()} MiB RSS after its GC`);
};

const { token } = await (await fetch(`${base}/api/auth/tokens`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, name: 'pages' }),
})).json();

let trickling = true, sent = 0;
const trickle = (async () => {
  while (trickling) {
    const stamp = new Date().toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1/$2/$3:$4 +0000');
    let body = '';
    for (let i = 0; i < rate / 10; i++) body += `10.6.0.${i % 250} - - [${stamp}] "GET /pages/${sent + i} HTTP/1.1" 200 1 "-" "pages"\n`;
    await fetch(`${base}/api/logs?format=combined&host=pages`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body,
    }).catch(() => {});
    sent += rate / 10;
    await sleep(100);
  }
})();

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const context = await browser.newContext();
const signIn = await context.newPage();
await signIn.goto(`${base}/account/login`);
await signIn.fill('#email', email);
await signIn.fill('#password', password);
await signIn.click('[data-testid=sign-in]');
await signIn.waitForSelector('[data-interactive=true]');

async function openLive() {
  const page = await context.newPage();
  await page.goto(`${base}/logs?range=15m&q=${encodeURIComponent('path:/pages/*')}`);
  await page.waitForSelector('[data-interactive=true]');
  await page.click('[data-testid=live-toggle]');
  await page.waitForSelector('[data-testid=live-tail][data-subscribed=true]');
  return page;
}

// Warm-up: one page opened and closed, so JIT and first-use caches are not counted per page.
const warm = await openLive();
await sleep(15000);
await warm.close();
await signIn.close();
await sleep(20000);
const before = rss();
log(`before: ${before} MiB RSS`);

const open = [];
for (let i = 0; i < pages; i++) open.push(await openLive());
// Long enough for every tail to receive more lines than it keeps on screen.
await sleep(Math.max(20000, 1500 * 1000 / rate));
const rows = await open[0].locator('[data-testid=log-row]').count();
const withPages = rss();
log(`${pages} live pages open (${rows} rows on the first): ${withPages} MiB RSS, ${((withPages - before) / pages).toFixed(1)} MiB per page`);
gcdump('open');

for (const page of open) await page.close();
const closedAt = Date.now();
for (let s = 10; s <= 150; s += 10) {
  await sleep(closedAt + s * 1000 - Date.now());
  log(`${s} s after closing: ${rss()} MiB RSS (${rss() - before >= 0 ? '+' : ''}${rss() - before} MiB vs before)`);
}
trickling = false;
await trickle;
await browser.close();
const after = rss();
gcdump('after');
console.log(`RESULT pages=${pages} rate=${rate}/s before=${before} open=${withPages} perPage=${((withPages - before) / pages).toFixed(1)} after150s=${after} delta=${after - before} MiB`);
