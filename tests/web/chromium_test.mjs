// The frame every browser test shares: headless chromium (no network extras), a deadline that
// fails the test naming the step it hung at, a bounded close, and the exit status.
// Usage (NODE_PATH names the node_modules that holds playwright-core):
//   await chromiumTest(executablePath, async ({ browser, step, check }) => {
//     step('loading the report'); ...; check(ok, 'what went wrong'); return 'summary line';
//   });
// check() records a failure and goes on, so one run lists every failure; a throw ends the body.
// The process exits 0 and prints the summary when nothing was recorded, else prints the failures
// and exits 1.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.resolve(process.env.NODE_PATH, 'x.js'));
const { chromium } = require('playwright-core');

export async function chromiumTest(executablePath, body, { seconds = 180, closeSeconds = 15 } = {}) {
  // The deadline covers launching and the body, well inside ctest's TIMEOUT, which would only say
  // that the test ran out of time; it ends where closing begins, which has its own bound.
  let at = 'launching chromium';
  const step = (what) => { at = what; };
  const deadline = setTimeout(() => {
    console.error(`FAILED: still ${at} after ${seconds} s`);
    process.exit(1);  // playwright kills the browsers it launched when node exits
  }, seconds * 1000);

  const failures = [];
  const check = (ok, what) => { if (!ok) failures.push(what); };
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  let summary;
  try {
    summary = await body({ browser, step, check });
  } finally {
    clearTimeout(deadline);
    // chromium sometimes never answers the close (seen after the interval test's two report
    // pages); the exit below kills it then.
    let timer;
    const gaveUp = new Promise((resolve) => { timer = setTimeout(() => resolve('gave up'), closeSeconds * 1000); });
    const how = await Promise.race([browser.close().then(() => 'closed'), gaveUp]);
    clearTimeout(timer);
    if (how !== 'closed') console.error(`note: chromium did not close within ${closeSeconds} s; killed on exit`);
  }
  if (failures.length) {
    console.error('FAILED:\n  ' + failures.join('\n  '));
    process.exit(1);
  }
  if (summary) console.log(summary);
  process.exit(0);
}
