// Opens two reports in headless chromium: one of keypoints frozen on their first frame (every
// window unfamiliar to the model) and one of the ordinary performance. The frozen one shows the
// warning at the top and a familiarity strip whose pixels are the unfamiliar red; the other shows
// the strip and no warning. The strip's pixels are counted in the page: the SVG is drawn into a
// canvas there.
import fs from 'node:fs';
import path from 'node:path';
import { chromiumTest } from '../web/chromium_test.mjs';

const [frozenPath, plainPath, executablePath, screenshotPath] = process.argv.slice(2);

async function inspect(page, file) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('file://' + path.resolve(file));
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  const warning = await page.$eval('#familiarity-warning', (e) => {
    const box = e.getBoundingClientRect();
    return { text: e.textContent, visible: box.height > 0 && getComputedStyle(e).display !== 'none', top: box.top };
  }).catch(() => null);
  const strip = await page.$eval('#familiarity-strip-0', async (svg) => {
    const box = svg.getBoundingClientRect();
    const img = new Image();
    img.src = 'data:image/svg+xml;base64,' + btoa(new XMLSerializer().serializeToString(svg));
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = 200;
    canvas.height = 10;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let red = 0;
    for (let k = 0; k < px.length; k += 4) {
      if (Math.abs(px[k] - 214) <= 10 && Math.abs(px[k + 1] - 39) <= 10 && Math.abs(px[k + 2] - 40) <= 10) red++;
    }
    return { width: box.width, height: box.height, redShare: red / (canvas.width * canvas.height) };
  }).catch((e) => ({ error: String(e) }));
  return { errors, warning, strip };
}

await chromiumTest(executablePath, async ({ browser, step, check }) => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  step('reading the report of frozen keypoints');
  const frozen = await inspect(page, frozenPath);
  check(frozen.errors.length === 0, 'console errors: ' + frozen.errors.join(' | '));
  check(frozen.warning && frozen.warning.visible, 'no visible unfamiliar-input warning');
  check(frozen.warning && frozen.warning.top < 400, `the warning is not near the top (${frozen.warning && frozen.warning.top} px)`);
  check(frozen.warning && /8 of 8 windows/.test(frozen.warning.text), `warning text: ${frozen.warning && frozen.warning.text}`);
  check(!frozen.strip.error, `strip: ${frozen.strip.error}`);
  check(frozen.strip.width > 300 && frozen.strip.height >= 20, `strip size ${frozen.strip.width} x ${frozen.strip.height}`);
  check(frozen.strip.redShare > 0.9, `only ${frozen.strip.redShare} of the frozen strip is red`);
  fs.writeFileSync(screenshotPath, await page.screenshot({ fullPage: true }));
  const page2 = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  step('reading the report of the ordinary performance');
  const plain = await inspect(page2, plainPath);
  check(plain.errors.length === 0, 'console errors: ' + plain.errors.join(' | '));
  check(plain.warning === null, 'a warning on the ordinary performance');
  check(!plain.strip.error && plain.strip.width > 300, `strip: ${plain.strip.error || plain.strip.width}`);
  check(plain.strip.redShare < 0.5, `${plain.strip.redShare} of the ordinary performance's strip is red`);
  return `familiarity in chromium: frozen strip ${(100 * frozen.strip.redShare).toFixed(0)}% red with the warning; ` +
    `ordinary ${(100 * plain.strip.redShare).toFixed(0)}% red, no warning`;
});
