#!/usr/bin/env python3
"""Runs the documentation as written: every fenced block of a Markdown file, in order, in a
scratch folder made by docs_folder.py (the files the examples name; `pianokpm` is the build's
binary). A block's fence says what it is:

  ```sh                 commands, run with bash -e; each `pianokpm` call must exit 0 and every
                        file or folder it names after --out, --overlay or --record must exist
  ```sh needs-camera    not run here: needs a camera, needs-midi-port, needs-gpu, or
  ```sh long            hours of CPU or gigabytes of disk (training recipes, fuzzing, soaks);
                        their commands and options are still checked against `pianokpm CMD --help`
  ```sh ci              ./test.sh (what CI runs) and ./demo.sh (the docs/demo test), set-up included
  ```python             run in one Python process per file, blocks in order, one namespace
  ```text               output, diagrams, listings: not run
  ```cpp src/FILE       code quoted from a file of the repository: must appear in it verbatim

Two substitutions make the examples fit a test (README, "These pages are tests"): `pianokpm` is
the build's binary, and `train` and `adapt` run at most MAX_EPOCHS epochs of MAX_BATCHES batches.
An indented (unfenced) code block is an error: fence it.

usage: run_docs.py --bin PIANOKPM --root REPO --build BUILD --work DIR FILE.md
"""
import argparse
import os
import json
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import docs_folder

NOT_RUN = {"needs-camera", "needs-midi-port", "needs-gpu", "long", "ci"}
KINDS = {"sh", "python", "text", "cpp"}
MAX_EPOCHS, MAX_BATCHES = 5, 2
OUTPUT_OPTIONS = ("--out", "--overlay", "--record")
BLOCK_TIMEOUT_S = 300
LIST_ITEM = re.compile(r"^([-*+]|\d+[.)]) ")
FENCE = re.compile(r"^(\s*)```(.*)$")


# Runs [(where, code)] from stdin in one namespace, so a traceback names the page and line.
PYTHON_RUNNER = """
import json, sys
namespace = {"__name__": "__main__"}
for where, code in json.load(sys.stdin):
    exec(compile("\\n" * int(where.rsplit(":", 1)[1]) + code, where.rsplit(":", 1)[0], "exec"), namespace)
"""


class DocError(Exception):
    pass


def blocks_of(path):
    """[(line, kind, tags, text)] for each fenced block; indented commands are refused."""
    out, lines, i, last_top = [], Path(path).read_text().splitlines(), 0, ""
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            line = lines[i]
            if line.startswith("    ") and line.strip() and i > 0 and not lines[i - 1].strip() \
                    and not LIST_ITEM.match(last_top):
                raise DocError(f"{path}:{i + 1}: an indented code block; fence it as ```sh, ```python or ```text")
            if line.strip() and not line[0].isspace():
                last_top = line
            i += 1
            continue
        indent, info = len(m.group(1)), m.group(2).split()
        if not info or info[0] not in KINDS:
            raise DocError(f"{path}:{i + 1}: a fence needs one of {sorted(KINDS)}, got '{' '.join(info)}'")
        kind, tags = info[0], info[1:]
        unknown = set(tags) - NOT_RUN
        if kind != "cpp" and (unknown or (tags and kind != "sh")):
            raise DocError(f"{path}:{i + 1}: unknown tag(s) {sorted(unknown) or tags} (known: {sorted(NOT_RUN)})")
        body, start = [], i + 1
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        if i == len(lines):
            raise DocError(f"{path}:{start}: a fence that is never closed")
        out.append((start, kind, tags, "\n".join(body) + "\n"))
        i += 1
    return out


def logical_lines(script):
    """Shell lines with their backslash continuations joined."""
    return [line for line in script.replace("\\\n", " ").splitlines() if line.strip()]


def pianokpm_calls(script):
    """(subcommand, [arguments]) of each `pianokpm`/`build/bin/pianokpm` call, comments left out."""
    calls = []
    for line in logical_lines(script):
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            words = line.split()
        for k, w in enumerate(words):
            if Path(w).name == "pianokpm" and k + 1 < len(words):
                calls.append((words[k + 1], words[k + 2:]))
                break
    return calls


class HelpIndex:
    """Which options each subcommand has, from its own --help."""

    def __init__(self, binary):
        self.binary, self.cache = binary, {}

    def options(self, command):
        if command not in self.cache:
            r = subprocess.run([self.binary, command, "--help"], capture_output=True, text=True)
            if r.returncode != 0:
                raise DocError(f"`pianokpm {command}`: no such command ({r.stderr.strip()[:200]})")
            known = set(re.findall(r"(--[a-z][a-z0-9-]*)", r.stdout)) | {"--help"}
            required = [set(re.findall(r"-{1,2}[a-z][a-z0-9-]*", m))
                        for m in re.findall(r"^\s+(-[^ ]+) [^\n]*\bREQUIRED\b", r.stdout, re.M)]
            self.cache[command] = (known, required)
        return self.cache[command]

    def check(self, where, script):
        for command, args in pianokpm_calls(script):
            known, required = self.options(command)
            for a in args:
                flag = a.split("=", 1)[0]
                if flag.startswith("--") and flag not in known:
                    raise DocError(f"{where}: `pianokpm {command}` has no option {flag}")
            given = {a.split("=", 1)[0] for a in args}
            elided = any("..." in a for a in args)  # a recipe that leaves options out on purpose
            for names in required:
                if not elided and "--help" not in given and not names & given:
                    raise DocError(f"{where}: `pianokpm {command}` needs {max(names, key=len)}")


def shortened(script):
    """train/adapt calls cut to MAX_EPOCHS epochs of MAX_BATCHES batches."""
    def cut(m):
        call = m.group(0)
        if "--epochs" in call:
            call = re.sub(r"--epochs[ =](\d+)", lambda e: f"--epochs {min(int(e.group(1)), MAX_EPOCHS)}", call)
        else:
            call = call.replace(m.group(1), f"{m.group(1)} --epochs {MAX_EPOCHS}", 1)
        if "--max-batches" not in call:
            call = call.replace(m.group(1), f"{m.group(1)} --max-batches {MAX_BATCHES}", 1)
        return call
    joined = script.replace("\\\n", " ")
    return re.sub(r"(pianokpm (?:train|adapt))\b[^\n#]*", cut, joined)


def outputs_named(script):
    named = []
    for _, args in pianokpm_calls(script):
        for k, a in enumerate(args[:-1]):
            if a in OUTPUT_OPTIONS and args[k + 1] != "-":
                named.append(args[k + 1])
    return named


def run_sh(where, script, work, env):
    for out in outputs_named(script):
        if Path(work, out).exists():
            raise DocError(f"{where}: {out} exists before the block runs; an earlier block wrote it (rename one)")
    r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", shortened(script)], cwd=work, env=env,
                       capture_output=True, text=True, timeout=BLOCK_TIMEOUT_S)
    if r.returncode != 0:
        raise DocError(f"{where}: exit {r.returncode}\n{script}--- stderr (end):\n{r.stderr[-3000:]}")
    for out in outputs_named(script):
        p = Path(work, out)
        if not p.exists() or (p.is_file() and p.stat().st_size == 0) or (p.is_dir() and not any(p.iterdir())):
            raise DocError(f"{where}: the block names {out} but did not write it")


def check_quote(where, root, tags, text):
    """A ```cpp block names the file it quotes and must match it (so the docs keep up with the code)."""
    if len(tags) != 1:
        raise DocError(f"{where}: a ```cpp block names the one file it quotes: ```cpp src/FILE")
    source = root / tags[0]
    if not source.is_file():
        raise DocError(f"{where}: quotes {tags[0]}, which does not exist")
    if text.strip("\n") not in source.read_text():
        raise DocError(f"{where}: the code differs from {tags[0]}: copy it again from the file")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True)
    p.add_argument("--root", required=True)
    p.add_argument("--build", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--check-only", action="store_true", help="check fences and options, run nothing")
    p.add_argument("doc")
    a = p.parse_args()
    doc = Path(a.root) / a.doc
    help_index = HelpIndex(a.bin)
    try:
        blocks = blocks_of(doc)
        for line, kind, tags, text in blocks:
            if kind == "sh":
                help_index.check(f"{a.doc}:{line}", text)
            elif kind == "cpp":
                check_quote(f"{a.doc}:{line}", Path(a.root), tags, text)
        runs = [b for b in blocks if (b[1] == "sh" and not b[2]) or b[1] == "python"]
        if a.check_only or not runs:
            print(f"{a.doc}: {len(blocks)} block(s) checked, {0 if a.check_only else len(runs)} to run")
            return 0
        shutil.rmtree(a.work, ignore_errors=True)  # every run starts from the same files
        work = docs_folder.make(a.work, a.bin, a.root, a.build)
        env = dict(os.environ, PATH=f"{work / 'bin'}:{os.environ['PATH']}", PYTHONPATH=str(Path(a.build) / "python"),
                   OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        python, ran, skipped = [], 0, 0
        for line, kind, tags, text in blocks:
            where = f"{a.doc}:{line}"
            if kind == "sh" and not tags:
                started = time.monotonic()
                run_sh(where, text, work, env)
                print(f"ran  {where} in {time.monotonic() - started:.0f} s", flush=True)
                ran += 1
            elif kind == "sh":
                print(f"skip {where} ({tags[0]})", flush=True)
                skipped += 1
            elif kind == "python":
                python.append((where, text))
        if python:
            print(f"run  {a.doc}: {len(python)} python block(s)", flush=True)
            r = subprocess.run([sys.executable, "-c", PYTHON_RUNNER], input=json.dumps(python), cwd=work, env=env,
                               capture_output=True, text=True, timeout=BLOCK_TIMEOUT_S)
            if r.returncode != 0:
                raise DocError(f"{a.doc}: python blocks failed\n{r.stderr[-3000:]}")
            ran += len(python)
        print(f"{a.doc}: {ran} block(s) ran, {skipped} checked only (not run: hardware or hours)")
    except DocError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
