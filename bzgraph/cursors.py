"""Opaque keyset cursors: a tagged, base64url-encoded JSON position.

A cursor names the connection it belongs to (``scope``); a cursor from another connection, one
that does not decode, or one whose values are not of the position's types, is ``BAD_USER_INPUT``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from bzgraph.errors import BadUserInput
from bzgraph.queries import CYPHER_INTEGER

_PREFIX = "bz1:"


def encode(scope: str, position: list[Any]) -> str:
    payload = orjson.dumps([scope, position])
    return _PREFIX + base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode(scope: str, cursor: str, types: tuple[type, ...]) -> list[Any]:
    """The position of ``cursor``; it must belong to ``scope`` and hold one value of each of
    ``types`` (``int`` meaning a 64-bit integer, as Cypher's)."""
    if not cursor.startswith(_PREFIX) or len(cursor) > 4096 or "=" in cursor:  # encode() never pads
        raise BadUserInput("malformed cursor", argument="after")
    body = cursor[len(_PREFIX):]
    try:
        # validate: a character outside base64url is refused, not skipped (no junk rides along)
        raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        found_scope, position = orjson.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise BadUserInput("malformed cursor", argument="after") from None
    if found_scope != scope:
        raise BadUserInput("this cursor belongs to another list", argument="after")
    if not isinstance(position, list) or len(position) != len(types) \
            or not all(_is(value, type_) for value, type_ in zip(position, types)):
        raise BadUserInput("malformed cursor", argument="after")
    return position


def _is(value: Any, type_: type) -> bool:
    if type_ is int:  # exactly int: JSON's true and false are bool, a subclass of int
        return type(value) is int and value in CYPHER_INTEGER
    return isinstance(value, type_)
