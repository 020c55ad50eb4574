"""What `pip install` of the project gives is enough to import it: every third-party module the
package imports comes from its dependencies (a module the notebook extra brings may be imported
only inside the function that needs it)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _names(requirements: list[str]) -> set[str]:
    return {_normal(re.match(r"[A-Za-z0-9._-]+", r).group(0)) for r in requirements}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imports(path: Path) -> list[tuple[str, bool]]:
    """The top-level modules ``path`` imports, each with whether the import is at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], id(node) in top))
    return found


def test_every_module_the_package_imports_is_a_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base = _names(project["dependencies"])
    notebook = _names(project["optional-dependencies"]["notebook"])
    distributions = packages_distributions()
    missing = []
    for path in sorted((ROOT / "bzgraph").rglob("*.py")):
        for module, at_top in _imports(path):
            if module == "bzgraph" or module in sys.stdlib_module_names or module == "__future__":
                continue
            names = {_normal(d) for d in distributions.get(module, [module])}
            allowed = base if at_top else base | notebook
            if not names & allowed:
                missing.append(f"{path.relative_to(ROOT)}: {module} ({', '.join(sorted(names))})")
    assert not missing, "imports the dependencies do not bring:\n" + "\n".join(missing)
