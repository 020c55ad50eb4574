"""What every resolver receives as ``info.context``."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from bzgraph.db import Database
from bzgraph.errors import BzgraphError


@dataclass(frozen=True)
class Viewer:
    """The signed-in account making the request."""

    id: str
    sub: str
    roles: frozenset[str] = frozenset()
    orcid: str | None = None  # an ORCID iD the identity provider verified the account holds (BZGRAPH_JWT_ORCID_CLAIM)

    @property
    def is_moderator(self) -> bool:
        return "moderator" in self.roles


@dataclass
class Context:
    """Per-request state: the database, the viewer (None when anonymous), the DataLoaders."""

    request: Request | None
    db: Database
    viewer: Viewer | None = None
    # Set when the request's credentials cannot be used: a token that failed verification
    # (UNAUTHENTICATED), one that could not be checked because the identity provider's keys were
    # out of reach (SERVICE_UNAVAILABLE), or more than one Authorization header (BAD_USER_INPUT).
    # The request is answered with it before anything runs.
    auth_error: BzgraphError | None = None
    loaders: dict[Hashable, Any] = field(default_factory=dict)

    @property
    def viewer_id(self) -> str | None:
        return self.viewer.id if self.viewer else None
