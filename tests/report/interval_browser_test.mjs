// Opens two eval reports of one ensemble, with and without --interval, in headless chromium and
// checks the interval as a reader sees it: the bounds in each muscle chart's legend, and pixels
// of the band's fill (the muscle's colour, translucent) drawn in the chart.
import fs from 'node:fs';
import path from 'node:path';
import { chromiumTest } from '../web/chromium_test.mjs';

const [bandPath, plainPath, executablePath, screenshotPath] = process.argv.slice(2);

// Per muscle chart: its legend labels, and how many pixels hold the band's fill: the chart's
// colour at about 20% opacity (uPlot draws the band with alpha 0x33 on a transparent canvas).
// The pixels are counted in the page: sending every canvas's pixels to node took most of the
// test's time on a slow machine.
const colours = [[0xe6, 0x9f, 0x00], [0x56, 0xb4, 0xe9], [0x00, 0x9e, 0x73], [0xc9, 0xb8, 0x00], [0x00, 0x72, 0xb2], [0xcc, 0x79, 0xa7]];
async function inspect(page, file) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('file://' + path.resolve(file));
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  const charts = await page.$$eval('.chart', (divs, colours) => divs.filter((d) => d.dataset.muscle !== 'keys').map((d, i) => {
    const labels = [...d.querySelectorAll('.u-legend .u-label')].map((l) => l.textContent);
    const canvas = d.querySelector('canvas');
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const [r, g, b] = colours[i];
    let band = 0;
    for (let k = 0; k < px.length; k += 4) {
      const a = px[k + 3];
      if (a >= 35 && a <= 70 && Math.abs(px[k] - r) <= 12 && Math.abs(px[k + 1] - g) <= 12 && Math.abs(px[k + 2] - b) <= 12) band++;
    }
    return { muscle: d.dataset.muscle, labels, band };
  }), colours);
  return { errors, charts };
}

await chromiumTest(executablePath, async ({ browser, step, check }) => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  step('reading the report with --interval');
  const withBand = await inspect(page, bandPath);
  check(withBand.errors.length === 0, 'console errors: ' + withBand.errors.join(' | '));
  check(withBand.charts.length === 6, `expected 6 muscle charts, found ${withBand.charts.length}`);
  for (const c of withBand.charts) {
    check(c.labels.includes('upper bound') && c.labels.includes('lower bound'), `${c.muscle}: legend ${c.labels.join(', ')}`);
    check(c.band > 500, `${c.muscle}: ${c.band} band pixels`);
  }
  fs.writeFileSync(screenshotPath, await page.screenshot({ fullPage: true }));
  const page2 = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  step('reading the report without --interval');
  const plain = await inspect(page2, plainPath);
  check(plain.charts.length === 6, `expected 6 muscle charts without --interval, found ${plain.charts.length}`);
  for (const c of plain.charts) {
    check(!c.labels.includes('upper bound'), `${c.muscle}: bounds without --interval`);
    check(c.band < 0.05 * (withBand.charts.find((w) => w.muscle === c.muscle)?.band ?? 0) + 20, `${c.muscle}: ${c.band} band pixels without --interval`);
  }
  return ('interval band ok in chromium: ' + withBand.charts.map((c) => `${c.muscle} ${c.band}`).join(', ') +
    ' band pixels; without --interval ' + plain.charts.map((c) => c.band).join(', '));
});
