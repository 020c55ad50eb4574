"""Opaque keyset cursors: a tagged, base64url-encoded JSON position.

A cursor names the connection it belongs to (``scope``); a cursor from another connection, or one
that does not decode, is ``BAD_USER_INPUT``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from bzgraph.errors import BadUserInput

_PREFIX = "bz1:"


def encode(scope: str, position: list[Any]) -> str:
    payload = orjson.dumps([scope, position])
    return _PREFIX + base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode(scope: str, cursor: str, size: int) -> list[Any]:
    """The position of ``cursor``; it must belong to ``scope`` and hold ``size`` values."""
    if not cursor.startswith(_PREFIX) or len(cursor) > 4096:
        raise BadUserInput("malformed cursor", argument="after")
    body = cursor[len(_PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        found_scope, position = orjson.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise BadUserInput("malformed cursor", argument="after") from None
    if found_scope != scope:
        raise BadUserInput("this cursor belongs to another list", argument="after")
    if not isinstance(position, list) or len(position) != size:
        raise BadUserInput("malformed cursor", argument="after")
    return position
