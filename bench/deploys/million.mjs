// A deploy printing 1,000,000 lines: stored (time from start to finished), then its page opened
// cold 10 times: from navigation start until the first lines are on screen (prerendered), until the
// page is interactive, and until line 1,000,000 is on screen after a jump to the end.
//   LINES=1000000 OPSPORTAL_URL=… OPSPORTAL_EMAIL=… OPSPORTAL_PASSWORD=… node million.mjs
import { base, browserSignedIn, token, api, waitFinished, quantile } from './common.mjs';

const lines = Number(process.env.LINES ?? 1000000);
const tok = await token();
let id = process.env.DEPLOY_ID;
if (!id) {
  const started = Date.now();
  ({ id } = await api(tok, 'POST', '/api/deploys', { service: 'bench', environment: 'million', version: String(lines) }));
  const done = await waitFinished(tok, id);
  console.log(`deploy ${id}: ${done.status}, ${done.deploy.lineCount} lines stored in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
    `(${(done.deploy.lineCount / ((Date.now() - started) / 1000)).toFixed(0)} lines/s)`);
}
const { browser, context } = await browserSignedIn();
const open = [], live = [], end = [];
for (let i = 0; i < 10; i++) {
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(`${base}/deploys/${id}`);
  await page.waitForSelector('.deploy-line[data-seq="1"]');
  open.push(Date.now() - t0);
  // Interactive: the virtualised view (any of the million lines reachable) has replaced the prerendered first screen.
  await page.waitForSelector('[data-testid=deploy-page][data-interactive=true]');
  await page.waitForSelector('[data-testid=deploy-output] .deploy-line[data-seq="1"]');
  live.push(Date.now() - t0);
  const t1 = Date.now();
  await page.locator('#deploy-output-' + id).evaluate(el => { el.scrollTop = el.scrollHeight; });
  await page.waitForSelector(`.deploy-line[data-seq="${lines}"]`);
  end.push(Date.now() - t1);
  await page.close();
}
await browser.close();
console.log(`page of a ${lines}-line deploy, navigation → first lines on screen: median ${quantile(open, 0.5)} ms, p95 ${quantile(open, 0.95)} ms, max ${Math.max(...open)} ms`);
console.log(`navigation → interactive (scrollable to any line): median ${quantile(live, 0.5)} ms, p95 ${quantile(live, 0.95)} ms, max ${Math.max(...live)} ms`);
console.log(`jump to the end → line ${lines} on screen: median ${quantile(end, 0.5)} ms, max ${Math.max(...end)} ms`);
