"""Checks of the arguments every domain takes: ids and page sizes."""

from __future__ import annotations

import strawberry
from strawberry.types.arguments import StrawberryArgumentAnnotation

from bzgraph import identifiers
from bzgraph.errors import BadUserInput

MAX_PAGE = 100
MAX_IDS = 100  # the ids one `nodes(ids:)` may ask for


def check_id(value: str, argument: str = "id") -> str:
    """An id is 1–256 printable characters, white space around it aside (as pasted); anything else
    is ``BAD_USER_INPUT``. An OpenAlex id may come in any case and as its openalex.org address, as
    OpenAlex's records, site and API give it (``W4200344755`` for ``w4200344755``,
    ``https://openalex.org/W4200344755`` or ``https://api.openalex.org/works/W4200344755``)."""
    value = value.strip()
    if not value or len(value) > 256 or not value.isprintable():
        raise BadUserInput(f"`{argument}` is not a valid id", argument=argument)
    return identifiers.openalex(value) or value


def size_argument(description: str) -> StrawberryArgumentAnnotation:
    """A size argument (``first``, ``limit``, ``depth``, ...): an ``Int`` the schema declares
    nullable, as Relay's ``first``, with the resolver's default. Null reads as that default
    (:mod:`bzgraph.defaults`), so the resolver receives an ``int``:
    ``first: Annotated[int, size_argument("...")] = 10``."""
    return strawberry.argument(description=f"{description}; null: the default", graphql_type=int | None)


def check_first(value: int, argument: str = "first", maximum: int = MAX_PAGE) -> int:
    """A page size is 0 to ``maximum``; anything else is ``BAD_USER_INPUT``."""
    if not 0 <= value <= maximum:
        raise BadUserInput(f"`{argument}` must be between 0 and {maximum}", argument=argument)
    return value
