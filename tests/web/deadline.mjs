// A browser test that hangs (a chromium that never answers, a page that never gets ready) fails
// on its own after `seconds`, naming the step it was at, instead of holding ctest: ctest's own
// TIMEOUT kills only the shell script, and a node left behind keeps ctest's output pipe open.
// Usage: const step = deadline(150); step('opening the report'); ...
export function deadline(seconds) {
  let at = 'starting';
  const timer = setTimeout(() => {
    console.error(`FAILED: still ${at} after ${seconds} s`);
    process.exit(1);  // playwright kills the browsers it launched when node exits
  }, seconds * 1000);
  timer.unref();  // a test that finishes is not kept waiting
  return (what) => { at = what; };
}
