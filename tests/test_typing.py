"""The package's type hints hold: mypy, configured in pyproject.toml, finds nothing to report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_type_checks() -> None:
    # In a process of its own: mypy raises the interpreter's recursion limit, which the tests of
    # documents nested too deeply rely on.
    result = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                             "--cache-dir", str(ROOT / ".mypy_cache"), str(ROOT / "bzgraph")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"mypy reports (run `.venv/bin/mypy` to see them again):\n{result.stdout}{result.stderr}"
