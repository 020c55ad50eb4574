"""Schema extensions: round-trip accounting exposed in the response's ``extensions``."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from bzgraph.db import RoundTrips, count_round_trips


class CypherRoundTrips(SchemaExtension):
    """Counts the Cypher queries one operation sends; reports ``extensions.cypherRoundTrips``."""

    def on_operation(self) -> Iterator[None]:
        with count_round_trips() as counter:
            self._counter: RoundTrips = counter
            yield

    def get_results(self) -> dict[str, int]:
        counter = getattr(self, "_counter", None)
        return {"cypherRoundTrips": counter.count if counter else 0}
