// A browser test that hangs (a chromium that never answers, a page that never gets ready) fails
// on its own after `seconds`, naming the step it was at, well before ctest's TIMEOUT, which would
// only say that the test ran out of time.
// Usage: const step = deadline(240); step('opening the report'); ...
// The deadline covers the test's own steps; closeWithin, which bounds the close by itself, ends it,
// so a test whose checks are done never fails for the time chromium takes to go away.
let running = null;

export function deadline(seconds) {
  let at = 'starting';
  const timer = setTimeout(() => {
    console.error(`FAILED: still ${at} after ${seconds} s`);
    process.exit(1);  // playwright kills the browsers it launched when node exits
  }, seconds * 1000);
  timer.unref();  // a test that finishes is not kept waiting
  running = timer;
  return (what) => { at = what; };
}

// Closes the browser, giving up after `seconds`: chromium sometimes never answers the close
// (seen after the interval test's two report pages), and the process exit that follows kills
// it anyway (playwright's exit handler).
export async function closeWithin(browser, seconds) {
  if (running) clearTimeout(running);
  running = null;
  let timer;
  const gaveUp = new Promise((resolve) => { timer = setTimeout(() => resolve('gave up'), seconds * 1000); });
  const how = await Promise.race([browser.close().then(() => 'closed'), gaveUp]);
  clearTimeout(timer);
  if (how !== 'closed') console.error(`note: chromium did not close within ${seconds} s; killed on exit`);
}
