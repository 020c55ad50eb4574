"""The analyst query library: the read-only named queries of ``cypher/analytics/``.

Each file's header declares its parameters (``$name TYPE`` and ``$name TYPE?`` for optional ones,
which default to null and so to the query's own default); an INTEGER may be followed by the range
it must lie in (``$hops INTEGER? 1..2``, ``$limit INTEGER? 0..``). The types are :data:`TYPES` and
lists of them (``LIST<STRING>``); a DATE or DATETIME comes as ISO text (JSON has no dates) and is
sent to Neo4j as its temporal value. The API's ``cypher`` field, ``bzgraph cypher`` and the notebook
client's direct mode all run these files through :func:`prepare`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from bzgraph import queries
from bzgraph.errors import BadUserInput, Forbidden, NotFound

PREFIX = "analytics/"
# `$name TYPE`, `$name TYPE?`, then maybe a range; then white space, punctuation or the line's end
_PARAMETER = re.compile(r"\$(\w+)\s+([A-Z][A-Z<>, ]*?[A-Z>])(\?)?(?:\s+(-?\d+)?\.\.(-?\d+)?)?(?=[\s,;.()]|$)")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    optional: bool
    low: int | None = None  # the declared range, bounds included
    high: int | None = None

    def out_of_range(self, value: Any) -> bool:
        return isinstance(value, int) and ((self.low is not None and value < self.low)
                                           or (self.high is not None and value > self.high))

    def range_text(self) -> str:
        if self.high is None:
            return f"at least {self.low}"
        return f"at most {self.high}" if self.low is None else f"from {self.low} to {self.high}"


def parameters(query: queries.Query) -> list[Parameter]:
    """The parameters a query's header declares, in order (the ``Parameters:`` lines)."""
    header: list[str] = []
    for line in query.text.splitlines():
        if not line.startswith("//"):
            break
        text = line.lstrip("/ ")
        if text.startswith("Parameters:") or (header and line.startswith("//  ")):
            header.append(text)
        elif header:
            break
    found: dict[str, Parameter] = {}
    for m in _PARAMETER.finditer(" ".join(header)):
        low, high = (None if bound is None else int(bound) for bound in m.group(4, 5))
        found[m.group(1)] = Parameter(m.group(1), m.group(2), bool(m.group(3)), low, high)
    return list(found.values())


def catalogue() -> dict[str, queries.Query]:
    """Every analyst query, by name."""
    return {name: q for name, q in queries.all_queries().items() if name.startswith(PREFIX)}


def prepare(name: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """Check ``params`` against the header of analyst query ``name``; fill optional ones with null."""
    if not name.startswith(PREFIX):
        raise Forbidden(f"only the read-only queries under {PREFIX} can be run here", argument="name")
    query = catalogue().get(name)
    if query is None:
        raise NotFound(f"no analyst query named {name!r}", argument="name")
    if query.writes:  # refused before it runs: a read transaction would still run TERMINATE TRANSACTIONS
        raise Forbidden(f"{name} changes data or ends others' transactions; analyst queries run read-only",
                        argument="name")
    params = dict(params or {})
    declared = {p.name: p for p in parameters(query)}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise BadUserInput(f"{name} takes no parameter {', '.join(unknown)}", argument="params")
    missing = [p.name for p in declared.values() if not p.optional and params.get(p.name) is None]
    if missing:
        raise BadUserInput(f"{name} needs the parameter {', '.join(missing)}", argument="params")
    for key, value in list(params.items()):
        if value is None:
            continue
        try:
            params[key] = value = _coerced(value, declared[key].type)
        except UnknownType:
            raise BadUserInput(f"{name}: its header declares {key} as {declared[key].type}, a type the library does "
                               f"not check: use one of {', '.join(TYPES)} or LIST<…> of one", argument="params") from None
        except (TypeError, ValueError):
            raise BadUserInput(f"{name}: the parameter {key} must be {_described(declared[key].type)}",
                               argument="params") from None
        if declared[key].out_of_range(value):
            raise BadUserInput(f"{name}: the parameter {key} must be {declared[key].range_text()}",
                               argument="params")
    check_values(name, params)
    return {key: params.get(key) for key in declared}


class UnknownType(Exception):
    """A header's type that :func:`_coerced` does not know."""


_SCALARS: dict[str, tuple[type, ...]] = {"STRING": (str,), "INTEGER": (int,), "FLOAT": (int, float),
                                         "BOOLEAN": (bool,)}
_TEMPORAL = {"DATE": "an ISO date such as 2024-01-31",
             "DATETIME": "an ISO date-time with its offset, such as 2024-01-31T09:30:00Z"}
TYPES = (*_SCALARS, *_TEMPORAL)  # what a header may declare, and LIST<…> of them


def _described(cypher_type: str) -> str:
    if cypher_type.startswith("LIST<") and cypher_type.endswith(">"):
        return f"a list of {_described(cypher_type[5:-1])}"
    return _TEMPORAL.get(cypher_type, cypher_type)


def _coerced(value: Any, cypher_type: str) -> Any:
    """``value`` as a parameter of the header's type: as it is, or (a DATE or DATETIME given as ISO
    text) as the Python value the driver sends as Neo4j's; ``TypeError`` or ``ValueError`` when it
    is not of the type, :class:`UnknownType` for a type the check does not know."""
    if cypher_type.startswith("LIST<") and cypher_type.endswith(">"):
        if not isinstance(value, list):
            raise TypeError(cypher_type)
        return [None if v is None else _coerced(v, cypher_type[5:-1]) for v in value]
    if cypher_type == "DATE":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
            return dt.date.fromisoformat(value)
        raise ValueError(value)
    if cypher_type == "DATETIME":
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) and "T" in value else value
        if isinstance(parsed, dt.datetime) and parsed.tzinfo is not None:
            return parsed
        raise ValueError(value)
    kinds = _SCALARS.get(cypher_type)
    if kinds is None:
        raise UnknownType(cypher_type)
    if isinstance(value, bool) != (bool in kinds):  # a bool is an int in Python, never an INTEGER here
        raise TypeError(cypher_type)
    if not isinstance(value, kinds):
        raise TypeError(cypher_type)
    return value


def check_values(name: str, params: dict[str, Any]) -> None:
    """Every integer in ``params`` fits Cypher's 64-bit INTEGER (the driver cannot send others)."""
    def fits(value: Any) -> bool:
        if isinstance(value, dict):
            return all(fits(v) for v in value.values())
        if isinstance(value, list):
            return all(fits(v) for v in value)
        return not isinstance(value, int) or isinstance(value, bool) or value in queries.CYPHER_INTEGER

    for key, value in params.items():
        if not fits(value):
            raise BadUserInput(f"{name}: the parameter {key} holds an integer beyond 64 bits", argument="params")


def jsonable(value: Any) -> Any:
    """Plain JSON values; Neo4j temporal and spatial values become their ISO/WKT text."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return value.iso_format() if hasattr(value, "iso_format") else str(value)
