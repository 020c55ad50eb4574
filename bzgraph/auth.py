"""Bearer token → Viewer. (Anonymous until the accounts module verifies tokens.)"""

from __future__ import annotations

from bzgraph.context import Context


async def authenticate(context: Context, authorization: str | None) -> None:
    """Set ``context.viewer`` from the ``Authorization`` header; anonymous when absent."""
    context.viewer = None
