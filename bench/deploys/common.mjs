// Shared by the deploy benchmarks: a signed-in browser and an API token, on a loopback portal only.
import fs from 'node:fs';
import { chromium } from 'playwright-core';

export const base = process.env.OPSPORTAL_URL ?? 'http://127.0.0.1:5080';
const email = process.env.OPSPORTAL_EMAIL, password = process.env.OPSPORTAL_PASSWORD;
if (!/^http:\/\/(127\.|localhost|\[::1\])/.test(base)) throw new Error('loopback targets only');

export async function token() {
  const r = await fetch(`${base}/api/auth/tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, name: 'deploy-bench' }),
  });
  return (await r.json()).token;
}

export async function api(tok, method, path, body) {
  const r = await fetch(`${base}${path}`, {
    method, headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

export async function waitFinished(tok, id) {
  for (;;) {
    const d = await api(tok, 'GET', `/api/deploys/${id}?limit=1`);
    if (!['queued', 'running'].includes(d.status)) return d;
    await new Promise(r => setTimeout(r, 200));
  }
}

export async function browserSignedIn() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/account/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('[data-testid=sign-in]');
  await page.waitForSelector('[data-interactive=true]');
  return { browser, context, page, state: await context.storageState() };
}

export const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]; };

export function rssMiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}
