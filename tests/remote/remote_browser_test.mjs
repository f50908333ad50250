// The viewer's page of `pianokpm serve` in headless chromium: a viewer logs in through the form,
// finds the player's session in the list, opens it and sees the traces advance, the newest values
// and the end-to-end delay; no console errors, no request elsewhere, a screenshot that is not blank.
// The delays the page measured over the watching are written to RESULT_JSON.
import fs from 'node:fs';
import { chromiumTest } from '../web/chromium_test.mjs';

const [url, executablePath, user, password, watchS, resultPath, screenshotPath] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };

await chromiumTest(executablePath, async ({ browser, step, check }) => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, ignoreHTTPSErrors: true });
  const errors = [];
  const elsewhere = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith(url)) elsewhere.push(r.url()); });

  step('logging in with a wrong password, then the right one');
  await page.goto(url);
  await page.waitForSelector('#login:not([hidden])', { timeout: 20000 });
  await page.fill('#user', user);
  await page.fill('#password', 'not the password');
  await page.click('#login button');
  await page.waitForSelector('#login-error:not([hidden])', { timeout: 10000 });
  check((await page.$eval('#login-error', (e) => e.textContent)).includes('wrong'), 'no error shown for a wrong password');
  errors.length = 0;  // the 401 of the wrong password is logged by chromium as a failed resource
  await page.fill('#password', password);
  await page.click('#login button');
  await page.waitForSelector('#sessions-view:not([hidden])', { timeout: 10000 });
  check((await page.$eval('#who', (e) => e.textContent)).includes(`${user} (viewer)`), 'not shown as logged in');
  const cookies = await page.context().cookies();
  const token = cookies.find((c) => c.name === 'pianokpm_token');
  check(token && token.httpOnly && token.secure && token.sameSite === 'Strict', 'token cookie not HttpOnly, Secure, Strict');
  check(await page.evaluate(() => document.cookie === ''), 'the page can read the token');

  step('opening the player\'s session');
  await page.waitForSelector('#sessions tbody tr', { timeout: 10000 });
  const listed = await page.$eval('#sessions tbody tr', (tr) => tr.textContent);
  check(listed.includes('ada') && listed.includes('etude in C') && listed.includes('live'), `session row: ${listed}`);
  await page.click('#sessions tbody tr');
  await page.waitForFunction(() => window.pianokpmRemote.events >= 10, null, { timeout: 20000 });
  check((await page.$eval('#connection', (e) => e.textContent)) === 'connected', 'not shown as connected');

  step(`watching for ${watchS} s`);
  const rows0 = await page.evaluate(() => window.pianokpmRemote.rows);
  await page.evaluate(() => { window.pianokpmRemote.delays.length = 0; window.pianokpmRemote.added.length = 0; });
  await sleep(Number(watchS) * 1000);
  const state = await page.evaluate(() => ({ ...window.pianokpmRemote }));
  const rows1 = state.rows;
  check(rows1 - rows0 > 0.5 * 1024 * Number(watchS), `rows advanced ${rows1 - rows0} in ${watchS} s`);
  const shown = await page.$$eval('#muscles td:nth-child(2)', (tds) => tds.map((td) => Number(td.textContent)));
  check(shown.length === 6 && shown.every((v) => Number.isFinite(v)), `newest values ${shown}`);
  if (!process.env.REMOTE_PLAYER_VIDEO)  // push_rows.py's rows lie in [0.1, 0.9]
    check(shown.every((v) => v >= 0.09 && v <= 0.91), `newest values ${shown}`);
  const delay = Number(await page.$eval('#delay', (e) => e.textContent));
  check(Number.isFinite(delay) && delay >= 0, `delay not shown (${delay})`);
  check(await page.$$eval('#chart canvas', (c) => c.length) >= 1, 'no trace chart');
  check(await page.$eval('#video', (img) => img.naturalWidth > 0), 'no picture from the player');
  if (process.env.REMOTE_PLAYER_VIDEO)  // the live view's numbers come from a live player only
    check(Number(await page.$eval('#fps', (e) => e.textContent)) > 0, 'the player\'s fps not shown');
  const delays = state.delays;
  const summary = (xs) => ({ p50: quantile(xs, 0.5), p90: quantile(xs, 0.9), p99: quantile(xs, 0.99), max: Math.max(...xs) });
  const result = { watched_s: Number(watchS), events: delays.length, rows: rows1 - rows0,
    delay_ms: summary(delays), added_to_player_latency_ms: summary(state.added) };
  fs.writeFileSync(resultPath, JSON.stringify(result, null, 1));
  check(delays.length > 10 * Number(watchS), `only ${delays.length} delays measured`);

  step('taking the screenshot');
  const png = await page.screenshot({ path: screenshotPath, fullPage: true });
  check(png.length > 20000, `screenshot of ${png.length} bytes looks blank`);
  check(errors.length === 0, 'console errors: ' + errors.join(' | '));
  check(elsewhere.length === 0, 'requests elsewhere: ' + elsewhere.join(' '));
  return `viewer page OK: ${delays.length} chunks, end-to-end delay median ${result.delay_ms.p50.toFixed(0)} ms, ` +
    `99th percentile ${result.delay_ms.p99.toFixed(0)} ms; added to the player's latency: median ` +
    `${result.added_to_player_latency_ms.p50.toFixed(0)} ms, 99th percentile ${result.added_to_player_latency_ms.p99.toFixed(0)} ms`;
}, { seconds: Math.max(180, Number(watchS) + 120) });
