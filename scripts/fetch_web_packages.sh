#!/usr/bin/env bash
# The npm packages of web/package.json (versions pinned in web/package-lock.json) into
# web/node_modules: uPlot, which the build inlines into every HTML report, and playwright-core,
# which drives Debian's chromium in the report's browser test. Idempotent: does nothing when the
# installed packages match the lock file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
web=$root/web
if [[ -f $web/node_modules/.package-lock.json ]] && cmp -s <(grep -v '"name"' "$web/package-lock.json" | grep '"version"') \
  <(grep -v '"name"' "$web/node_modules/.package-lock.json" | grep '"version"'); then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "fetch_web_packages: npm is missing (apt-get install npm)" >&2
  exit 1
fi
echo "fetch_web_packages: npm ci in $web"
for attempt in 1 2 3; do  # the registry may hiccup
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error) && exit 0
  sleep $((attempt * 5))
done
echo "fetch_web_packages: npm ci failed in $web" >&2
exit 1
