#!/usr/bin/env python3
"""Packs the built Python module into a wheel (PEP 427) that `pip install` puts into any
environment of the same Python: the extension module, its type stub, the data it looks up beside
itself (pianokpm_data/, see src/core/install_paths.h) and the dist-info metadata.

The module links Debian's libtorch and OpenCV dynamically: the wheel is for a Debian 12 machine
with those packages (the .deb names them as dependencies), as built by `cmake --build build
--target python_wheel`.
"""
import argparse
import base64
import hashlib
import sys
import sysconfig
import zipfile
from pathlib import Path


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--module", required=True, help="the built extension (pianokpm.cpython-*.so)")
    ap.add_argument("--stub", help="pianokpm.pyi")
    ap.add_argument("--data", action="append", default=[], help="FOLDER=NAME: copied to pianokpm_data/NAME")
    ap.add_argument("--version", required=True)
    ap.add_argument("--out", required=True, help="folder for the .whl")
    a = ap.parse_args()

    module = Path(a.module)
    python_tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    platform_tag = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    wheel_name = f"pianokpm-{a.version}-{python_tag}-{python_tag}-{platform_tag}.whl"
    dist_info = f"pianokpm-{a.version}.dist-info"

    files = {module.name: module.read_bytes()}
    if a.stub:
        files["pianokpm.pyi"] = Path(a.stub).read_bytes()
    for spec in a.data:
        folder, name = spec.split("=", 1)
        root = Path(folder)
        if not root.is_dir():
            sys.exit(f"make_wheel: {folder}: no such folder (run scripts/setup.sh)")
        for f in sorted(p for p in root.rglob("*") if p.is_file()):
            files[f"pianokpm_data/{name}/{f.relative_to(root).as_posix()}"] = f.read_bytes()
    files[f"{dist_info}/METADATA"] = (
        "Metadata-Version: 2.1\n"
        "Name: pianokpm\n"
        f"Version: {a.version}\n"
        "Summary: Hand-muscle EMG envelopes estimated from video, keypoints and keystrokes (PianoKPM Net)\n"
        "Requires-Python: >=3.9\n"
        "Requires-Dist: numpy\n"
        "Description: Needs Debian 12's libtorch (libtorch1.13) and OpenCV at run time.\n"
    ).encode()
    files[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\n"
        "Generator: pianokpm tools/make_wheel.py\n"
        "Root-Is-Purelib: false\n"
        f"Tag: {python_tag}-{python_tag}-{platform_tag}\n"
    ).encode()
    files[f"{dist_info}/top_level.txt"] = b"pianokpm\npianokpm_data\n"
    record = [record_line(n, d) for n, d in files.items()] + [f"{dist_info}/RECORD,,"]
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / wheel_name
    partial = target.with_suffix(".whl.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    partial.replace(target)
    print(target)


if __name__ == "__main__":
    main()
