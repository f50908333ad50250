#!/usr/bin/env bash
# Every C++ file of the repository in the house style (.clang-format at the root): prints the
# files that differ and exits 1; exits 77 (skipped) where clang-format is not installed.
# Fix with: clang-format -i FILE...
set -euo pipefail
root=$1
command -v clang-format >/dev/null || { echo "skipped: clang-format not installed"; exit 77; }
cd "$root"
mapfile -d '' files < <(find src tests bench fuzz tools -name '*.cpp' -print0 -o -name '*.h' -print0 | sort -z)
((${#files[@]} > 100)) || { echo "found only ${#files[@]} C++ files under $root: wrong folder?"; exit 1; }
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
  echo "${#bad[@]} of ${#files[@]} C++ files are not in the house style (clang-format -i FILE fixes them):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "all ${#files[@]} C++ files in the house style"
