// Click → first output line on screen, measured in the browser: from the click on the dialog's
// confirm button until line 1 of the new deploy is rendered. 20 deploys of bench/first.
//   OPSPORTAL_URL=… OPSPORTAL_EMAIL=… OPSPORTAL_PASSWORD=… node first-line.mjs
import { base, browserSignedIn, quantile } from './common.mjs';

const runs = Number(process.env.RUNS ?? 20);
const { browser, page } = await browserSignedIn();
const times = [];
for (let i = 0; i < runs; i++) {
  await page.goto(`${base}/deploys`);
  await page.waitForSelector('[data-testid=deploys-page][data-interactive=true]');
  const card = page.locator('[data-target="bench/first"]');
  await card.locator('[data-testid=target-deploy]:not([disabled])').click();
  await page.locator('.mud-dialog input').first().fill(`1.0.${Date.now()}`);
  const confirm = page.locator('[data-testid=deploy-confirm]:not([disabled])');
  await confirm.waitFor();
  const started = await page.evaluate(() => performance.now());
  await confirm.click();
  await page.waitForSelector('.deploy-line[data-seq="1"]', { timeout: 10000 });
  const seen = await page.evaluate(() => performance.now());
  times.push(seen - started);
  await page.waitForSelector('[data-testid=deploy-outcome]');
}
await browser.close();
console.log(`click → first output line on screen, ${runs} deploys: median ${quantile(times, 0.5).toFixed(0)} ms, p95 ${quantile(times, 0.95).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`);
