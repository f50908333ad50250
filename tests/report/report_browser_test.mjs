// Opens a pianokpm report from disk in headless chromium and checks what a reader would see:
// no console errors, no network request, the tables' values equal the analysis JSON, the charts
// drawn, the video playable, and a screenshot that is not blank.
import fs from 'node:fs';
import path from 'node:path';
import { chromiumTest } from '../web/chromium_test.mjs';

const [htmlPath, analysisPath, executablePath, screenshotPath] = process.argv.slice(2);
const analysis = JSON.parse(fs.readFileSync(analysisPath, 'utf8'));

await chromiumTest(executablePath, async ({ browser, step, check }) => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (!/^(file|data|blob):/.test(r.url())) requests.push(r.url()); });
  step('loading the report');
  await page.goto('file://' + path.resolve(htmlPath));
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });

  check(errors.length === 0, 'console errors: ' + errors.join(' | '));
  check(requests.length === 0, 'network requests: ' + requests.join(' '));
  const charts = await page.$$eval('.chart canvas', (c) => c.length);
  check(charts >= 7, `expected 6 muscle charts and the keystrokes, found ${charts} canvases`);
  check(await page.$('#synthetic-notice') !== null, 'no synthetic-data notice');

  // Values shown in the tables equal the JSON (to the digits shown).
  const near = (shown, value, decimals) => Math.abs(parseFloat(shown) - value) <= 0.5 * 10 ** -decimals + 1e-12;
  const rows = await page.$$eval('table.muscles tr', (trs) => trs.slice(1).map((tr) => [...tr.cells].map((td) => td.textContent)));
  check(rows.length === 6, `muscle table has ${rows.length} rows`);
  analysis.muscles.forEach((m, i) => {
    const r = rows[i] || [];
    check(r[0] && r[0].startsWith(m.muscle), `row ${i} names ${r[0]}, JSON ${m.muscle}`);
    check(near(r[1], m.mean, 4), `${m.muscle} mean shown ${r[1]}, JSON ${m.mean}`);
    check(near(r[2], m.peak, 4), `${m.muscle} peak shown ${r[2]}, JSON ${m.peak}`);
    check(near(r[4], 100 * m.active_fraction, 1), `${m.muscle} active % shown ${r[4]}, JSON ${m.active_fraction}`);
    check(Number(r[5]) === m.burst_count, `${m.muscle} bursts shown ${r[5]}, JSON ${m.burst_count}`);
  });
  const cci = await page.$$eval('table.co-contraction tr', (trs) => trs.slice(1).map((tr) => tr.cells[1].textContent));
  analysis.co_contraction.forEach((c, i) => check(near(cci[i], c.index_percent, 1), `CCI ${i} shown ${cci[i]}, JSON ${c.index_percent}`));
  const regions = await page.$$eval('table.regions tr', (trs) => trs.slice(1).map((tr) => [...tr.cells].map((td) => td.textContent)));
  check(regions.length === analysis.keystrokes.regions.length, `region rows ${regions.length}`);
  analysis.keystrokes.regions.forEach((g, i) => {
    const r = regions[i] || [];
    check(r[0] === g.region && Number(r[1]) === g.keystrokes, `region ${i}: ${r[0]} ${r[1]}`);
    check(near(r[2], g.mean_activation.ADM, 4), `region ${g.region} ADM shown ${r[2]}`);
  });

  // The charts hold the data: the keystroke chart's points equal the JSON's count.
  const keysShown = await page.$eval('.chart[data-muscle="keys"] .u-title', (t) => t.textContent);
  check(keysShown.includes(`(${analysis.keystrokes.count};`), `keystroke chart title '${keysShown}', JSON ${analysis.keystrokes.count}`);

  // The overlay video decodes in the browser.
  step('loading the overlay video');
  const video = await page.evaluate(() => new Promise((resolve) => {
    const v = document.getElementById('overlay');
    if (!v) return resolve({ error: 'no video element' });
    const done = () => resolve({ duration: v.duration, width: v.videoWidth, error: v.error && v.error.code });
    if (v.readyState >= 1) return done();
    v.addEventListener('loadedmetadata', done);
    v.addEventListener('error', done);
    setTimeout(done, 10000);
  }));
  check(!video.error && video.duration > 1 && video.width > 0, 'overlay video does not load: ' + JSON.stringify(video));

  // Zoom and pan: the buttons change every chart's time range together (keystrokes included).
  const span = (r) => r[1] - r[0];
  step('zooming and panning');
  const before = await page.evaluate(() => window.pianokpmTimeRange());
  await page.click('#zoom-in');
  const zoomed = await page.evaluate(() => window.pianokpmTimeRange());
  check(zoomed.every((r) => Math.abs(span(r) - span(before[0]) / 2) < 1e-6 * span(before[0]) + 1e-9),
    'zoom in did not halve every chart: ' + JSON.stringify([before[0], zoomed]));
  await page.click('#later');
  const panned = await page.evaluate(() => window.pianokpmTimeRange());
  check(panned.every((r) => r[0] > zoomed[0][0]), 'later did not move every chart: ' + JSON.stringify(panned));

  step('taking and measuring the screenshot');
  const png = await page.screenshot({ fullPage: true });
  fs.writeFileSync(screenshotPath, png);
  const stats = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    let dark = 0;
    for (let i = 0; i < d.length; i += 4 * 7) {
      colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      if (d[i] + d[i + 1] + d[i + 2] < 600) dark++;
    }
    return { colours: colours.size, darkFraction: dark / (d.length / 28) };
  }, png.toString('base64'));
  check(stats.colours > 50 && stats.darkFraction > 0.02, 'screenshot looks blank: ' + JSON.stringify(stats));
  return (`report ok in chromium: ${charts} charts, ${rows.length} muscles, video ${video.duration?.toFixed(1)} s, ` +
    `screenshot ${stats.colours} colours (${screenshotPath})`);
});
