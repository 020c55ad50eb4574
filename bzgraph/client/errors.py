"""What the notebook client raises and warns."""

from __future__ import annotations

from typing import Any

Data = dict[str, Any]


class TruncatedWarning(UserWarning):
    """An answer was cut at the API's limit: an analyst query's rows (``Rows.truncated``), a
    neighbourhood's cross edges (``Neighbourhood.cross_edges_total`` above their number)."""


class APIError(Exception):
    """The endpoint answered with GraphQL errors; ``code`` is the first error's ``extensions.code``."""

    def __init__(self, errors: list[Data]) -> None:
        self.errors = errors
        self.code = (errors[0].get("extensions") or {}).get("code", "INTERNAL") if errors else "INTERNAL"
        super().__init__(f"{self.code}: {errors[0].get('message') if errors else 'no data'}")
