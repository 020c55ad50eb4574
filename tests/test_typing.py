"""The package's type hints hold: mypy, configured in pyproject.toml, finds nothing to report."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_type_checks() -> None:
    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml"),
                                      "--cache-dir", str(ROOT / ".mypy_cache"), str(ROOT / "bzgraph")])
    assert status == 0, f"mypy reports (run `.venv/bin/mypy` to see them again):\n{stdout}{stderr}"
