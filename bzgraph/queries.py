"""Named Cypher queries: every ``cypher/**/*.cypher`` file, loaded once, looked up by name.

A query's name is its path below ``cypher/`` without the extension (``profile/researchers``,
``explore/neighbourhood``, ``schema/001-constraints``). Each file opens with a ``//`` header whose
first sentence is the query's purpose. Asking for a name that does not exist raises
:class:`UnknownQuery`, naming the file looked for.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bzgraph.settings import PROJECT_ROOT

CYPHER_DIR = PROJECT_ROOT / "cypher"
CYPHER_INTEGER = range(-(2**63), 2**63)  # the values a Cypher INTEGER (a parameter, a property) holds


@dataclass(frozen=True)
class Query:
    """One named query: its text (run as it is) and the purpose from its header."""

    name: str
    text: str
    purpose: str
    path: Path

    @property
    def writes(self) -> bool:
        """Whether the query has a clause that changes data, or another client's work (``TERMINATE
        TRANSACTIONS``, which a read transaction allows): ``bzgraph cypher`` then needs ``--write``,
        and the notebook client's direct runs refuse it. Read from its text, without comments and
        string literals."""
        return _WRITE_CLAUSE.search(_code(self.text)) is not None

    @property
    def statements(self) -> list[str]:
        """The file's statements, for files (migrations) that hold several separated by ``;``."""
        body = "\n".join(line for line in self.text.splitlines()
                         if not line.lstrip().startswith("//"))
        return [part.strip() for part in body.split(";") if part.strip()]


_WRITE_CLAUSE = re.compile(r"\b(?:CREATE|MERGE|SET|DELETE|REMOVE|DROP|TERMINATE)\b", re.IGNORECASE)
_COMMENT_OR_STRING = re.compile(r"//[^\n]*|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")


def _code(text: str) -> str:
    """The query's text without ``//`` comments, string literals and quoted names."""
    return _COMMENT_OR_STRING.sub(" ", text)


_LABELS = ("Parameters:", "Returns", "Columns:", "Example:")
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)\.(?:\s|$)")


def _purpose(text: str) -> str:
    """The header's first sentence, which may run over several ``//`` lines."""
    words: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("//"):
            break
        part = stripped.lstrip("/").strip()
        if words and (part.startswith(_LABELS) or not part):
            break
        words.append(part)
    header = " ".join(w for w in words if w)
    end = _SENTENCE_END.search(header)
    return header[:end.start() + 1] if end else header


def parse_param(raw: str) -> tuple[str, Any] | None:
    """A ``key=value`` parameter as ``bzgraph cypher --param`` takes it: the value read as JSON when
    it parses, else as a string; None when ``raw`` is not ``key=value``."""
    key, sep, value = raw.partition("=")
    if not sep or not key:
        return None
    try:
        return key, json.loads(value, parse_constant=_not_json, parse_float=_finite)
    except ValueError:  # JSONDecodeError, and NaN, Infinity or 1e400: not JSON numbers (RFC 8259)
        return key, value


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of a float's range")
    return number


class UnknownQuery(KeyError):
    """No file of ``cypher/`` has this name."""

    def __str__(self) -> str:
        return str(self.args[0])  # KeyError's own would quote the message


class QueriesNotFound(LookupError):
    """The ``cypher/`` folder is not beside the package (an install that copied only the package)."""


@lru_cache(maxsize=1)
def all_queries() -> dict[str, Query]:
    """Every named query, by name."""
    if not CYPHER_DIR.is_dir():
        raise QueriesNotFound(f"no cypher/ folder at {CYPHER_DIR}: bzgraph reads its queries from the "
                              "project folder; install it from there with `pip install -e .`")
    found: dict[str, Query] = {}
    for path in sorted(CYPHER_DIR.rglob("*.cypher")):
        name = path.relative_to(CYPHER_DIR).with_suffix("").as_posix()
        text = path.read_text(encoding="utf-8")
        found[name] = Query(name=name, text=text, purpose=_purpose(text), path=path)
    return found


def get(name: str) -> Query:
    """The query called ``name``; :class:`UnknownQuery` names the missing file."""
    try:
        return all_queries()[name]
    except KeyError:
        raise UnknownQuery(f"no Cypher query named {name!r} (looked for {CYPHER_DIR / name}.cypher)") from None


SUPPORT = ("testing/", "bench/")  # the test suite's and the benchmarks' queries (some wipe or lock data)


def is_support(name: str) -> bool:
    """Whether query ``name`` serves the tests or the benchmarks rather than the product."""
    return name.startswith(SUPPORT)


def migrations() -> list[Query]:
    """The schema queries (constraints, indexes), in file-name order."""
    return [q for name, q in all_queries().items() if name.startswith("schema/")]
