"""docs/python.md is a worked example: its ```python blocks run in order, in one namespace, in a
scratch folder that sees the repository's assets/ and tests/ (so the files it writes stay out of
the source tree)."""
import os
import re

from conftest import ROOT


def test_python_md_runs(tmp_path):
    text = (ROOT / "docs" / "python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 6
    for shared in ("assets", "tests"):
        (tmp_path / shared).symlink_to(ROOT / shared)
    cwd = os.getcwd()
    namespace = {}
    try:
        os.chdir(tmp_path)
        for i, block in enumerate(blocks):
            exec(compile(block, f"docs/python.md block {i + 1}", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert (tmp_path / "estimate.csv").read_text().startswith("ADM,PB,1DI,2DI,3DI,4DI\n")
