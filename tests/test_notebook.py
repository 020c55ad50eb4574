"""The example notebook runs end to end, headlessly, against a real `bzgraph serve` on the seed graph."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from bzgraph.settings import PROJECT_ROOT

NOTEBOOK = PROJECT_ROOT / "examples" / "explore.ipynb"


def _outputs(cell: dict, kind: str) -> list[str]:
    found = []
    for output in cell.get("outputs", []):
        if kind in output.get("data", {}):
            found.append(output["data"][kind])
        if kind == "text/plain" and output.get("output_type") == "stream":
            found.append(output["text"])
    return found


def test_example_notebook_runs_end_to_end(live_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BZGRAPH_URL", live_url)  # the kernel inherits the environment
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    text = "\n".join(t for c in code for t in _outputs(c, "text/plain"))
    html = "\n".join(t for c in code for t in _outputs(c, "text/html"))
    assert "Leon Bungert: 9 works, 9 topics" in text  # the profile
    assert "Martin Burger" in html and "sharedWorks" in html  # Cypher rows as a DataFrame
    images = [t for c in code for t in _outputs(c, "image/png")]
    assert len(images) >= 2  # the neighbourhood drawing and the bar chart
    drawing = next(c for c in code if "to_networkx" in c.source)
    assert _outputs(drawing, "image/png")
