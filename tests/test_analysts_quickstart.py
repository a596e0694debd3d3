"""The Python quickstart in docs/analysts.md runs as written on the published sample."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from orchestration.lib.settings import PROJECT_ROOT, DataPaths


def quickstart_code() -> str:
    """The Python block under "Python quickstart" in docs/analysts.md."""
    text = (PROJECT_ROOT / "docs" / "analysts.md").read_text()
    section = text.split("## Python quickstart", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL)[1]


def test_the_python_quickstart_runs_on_the_published_warehouse_and_exports(
    published_sample: DataPaths, tmp_path: Path
):
    # The paths in the block are relative to the repository root, where `data` is.
    (tmp_path / "data").symlink_to(published_sample.data_dir)

    done = subprocess.run(
        [sys.executable, "-c", quickstart_code()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert (
        "Shares of listed models only. Source: OpenRouter (openrouter.ai/rankings)" in done.stdout
    )
    assert "China" in done.stdout and "vendor_name" in done.stdout
