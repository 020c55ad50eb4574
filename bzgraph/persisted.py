"""Automatic persisted queries: Apollo's protocol (version 1), as Apollo Client, urql and Relay's
clients speak it.

A client sends ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}`` without the
query's text (over GET, a short URL a cache can keep). A hash the server knows runs its document;
an unknown one is answered ``PersistedQueryNotFound`` (the message clients look for; code
``BAD_USER_INPUT``, not to be cached), and the client sends the text with the hash again, which the
server checks and runs, and keeps once it has parsed and validated (as Apollo's servers do: a text
that cannot run is not kept). Texts are kept by their total length plus a fixed cost per text, the
least recently used going first, as parsed documents are (``bzgraph.extensions.DocumentCache``).
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from typing import Any

from cross_web import HTTPException as RefusedRequest
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

VERSION = 1
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"  # Apollo's wording, which its clients match
NOT_FOUND_HEADERS = {"cache-control": "private, no-cache, must-revalidate"}  # a miss must not be cached
_HASH = re.compile(r"[0-9a-fA-F]{64}")
# What a kept text costs beside its characters, counted as characters: its hash and the store's entry
# (about 260 bytes measured), so that many tiny texts cannot hold more memory than the budget says.
ENTRY_COST = 300


class PersistedQueryNotFound(RefusedRequest):
    """A hash without its text that the server does not know (yet)."""


class PersistedQueries:
    """Query texts by their SHA-256 (lower-case hex), at most ``budget`` characters in all (each
    text counted with ``ENTRY_COST`` more)."""

    def __init__(self, budget: int = 500_000) -> None:
        self.budget = budget
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._size = 0

    def __len__(self) -> int:
        return len(self._texts)

    def get(self, sha256: str) -> str | None:
        text = self._texts.get(sha256)
        if text is not None:
            self._texts.move_to_end(sha256)
        return text

    def add(self, sha256: str, text: str) -> None:
        if sha256 in self._texts:
            self._texts.move_to_end(sha256)
            return
        self._texts[sha256] = text
        self._size += len(text) + ENTRY_COST
        while self._size > self.budget and len(self._texts) > 1:  # the least recently used go first
            _, evicted = self._texts.popitem(last=False)
            self._size -= len(evicted) + ENTRY_COST

    def resolve(self, data: GraphQLRequestData) -> None:
        """Fill in ``data.query`` from its ``persistedQuery`` extension, or check that the text it
        came with is the hash's; a request without the extension is left as it is."""
        extension = (data.extensions or {}).get("persistedQuery")
        if extension is None:
            return
        sha256 = _checked_hash(extension)
        if data.query is None:
            text = self.get(sha256)
            if text is None:
                raise PersistedQueryNotFound(200, NOT_FOUND_MESSAGE)
            data.query = text
        elif hashlib.sha256(data.query.encode("utf-8", "surrogatepass")).hexdigest() != sha256:
            raise RefusedRequest(400, "`extensions.persistedQuery.sha256Hash` is not the SHA-256 of the query's text")

    def keep(self, data: GraphQLRequestData, result: ExecutionResult) -> None:
        """After :meth:`resolve` and the execution: keep a persisted query's text once it parsed and
        validated (every error, if any, has a path: it came from running it)."""
        extension = (data.extensions or {}).get("persistedQuery")
        if extension is None or data.query is None:
            return
        if any(error.path is None for error in result.errors or []):
            return
        self.add(_checked_hash(extension), data.query)


def _checked_hash(extension: Any) -> str:
    """The extension's hash, lower-cased; ``BAD_USER_INPUT`` unless it is version 1 with a SHA-256."""
    version = extension.get("version") if isinstance(extension, dict) else None
    if type(version) is not int or version != VERSION:  # not True, which equals 1
        raise RefusedRequest(400, f"`extensions.persistedQuery` must be an object with `version` {VERSION}: "
                                  "the only version of automatic persisted queries there is")
    sha256 = extension.get("sha256Hash")
    if not isinstance(sha256, str) or not _HASH.fullmatch(sha256):
        raise RefusedRequest(400, "`extensions.persistedQuery.sha256Hash` must be a SHA-256 in hexadecimal (64 digits)")
    return sha256.lower()
