#!/usr/bin/env bash
# Formats C++ sources with the repository's .clang-format (clang-format from Debian's
# clang-format package).
#   scripts/format.sh               the C++ files changed against main's last commit (and new ones)
#   scripts/format.sh FILE...       those files
#   scripts/format.sh --check [...] changes nothing; lists the files that are not formatted, exit 1
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v clang-format >/dev/null || { echo "format: clang-format is missing (apt-get install clang-format)" >&2; exit 2; }
check=false
if [[ ${1:-} == --check ]]; then check=true; shift; fi
if (($#)); then
  files=("$@")
else
  mapfile -t files < <({ git diff --name-only HEAD; git ls-files --others --exclude-standard; } |
                       grep -E '\.(cpp|h)$' | sort -u | while read -r f; do [[ -f $f ]] && echo "$f"; done)
fi
((${#files[@]})) || { echo "format: no C++ file to format"; exit 0; }
if $check; then
  bad=0
  for f in "${files[@]}"; do
    if ! clang-format --style=file "$f" | cmp -s - "$f"; then echo "not formatted: $f"; bad=1; fi
  done
  exit $bad
fi
clang-format --style=file -i "${files[@]}"
echo "format: ${#files[@]} files"
