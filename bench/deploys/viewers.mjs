// 10 viewers of one deploy printing 1,000 lines/s: every viewer must end with the complete output
// (its line counter equals the stored count, and the last line is on screen), while the portal's
// RSS is sampled every second.
//   PORTAL_PID=… SECONDS_OF_OUTPUT=60 OPSPORTAL_URL=… OPSPORTAL_EMAIL=… OPSPORTAL_PASSWORD=… node viewers.mjs
import { base, browserSignedIn, token, api, waitFinished, rssMiB } from './common.mjs';

const viewers = Number(process.env.VIEWERS ?? 10);
const seconds = Number(process.env.SECONDS_OF_OUTPUT ?? 60);
const pid = process.env.PORTAL_PID;
const tok = await token();
const { browser, state } = await browserSignedIn();
const pages = [];
for (let i = 0; i < viewers; i++) {
  const context = await browser.newContext({ storageState: state, viewport: { width: 1366, height: 900 } });
  pages.push(await context.newPage());
}
const samples = [];
const sample = () => pid && samples.push(rssMiB(pid));
sample();
const { id } = await api(tok, 'POST', '/api/deploys', { service: 'bench', environment: 'flood', version: String(seconds) });
await Promise.all(pages.map(async p => {
  await p.goto(`${base}/deploys/${id}`);
  await p.waitForSelector('[data-testid=deploy-output][data-live=true]');
}));
const timer = setInterval(sample, 1000);
const done = await waitFinished(tok, id);
const total = done.deploy.lineCount;
const results = await Promise.all(pages.map(async p => {
  await p.waitForSelector(`[data-testid=deploy-output][data-lines="${total}"]`, { timeout: 30000 }).catch(() => null);
  const lines = Number(await p.getAttribute('[data-testid=deploy-output]', 'data-lines'));
  const last = await p.locator(`.deploy-line[data-seq="${total}"]`).count();
  return { lines, lastOnScreen: last === 1 };
}));
clearInterval(timer);
sample();
await browser.close();
const complete = results.filter(r => r.lines === total && r.lastOnScreen).length;
console.log(`deploy ${id}: ${total} lines in ${seconds} s; ${complete}/${viewers} viewers complete ` +
  `(${results.map(r => r.lines).join(', ')})`);
if (samples.length) {
  console.log(`portal RSS MiB: before ${samples[0].toFixed(0)}, max ${Math.max(...samples).toFixed(0)}, after ${samples.at(-1).toFixed(0)}; ` +
    `samples: ${samples.map(s => s.toFixed(0)).join(' ')}`);
}
