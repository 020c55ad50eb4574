"""Bearer token → Viewer.

Tokens are JWTs verified with PyJWT: HS256 with ``BZGRAPH_JWT_SECRET`` (or the local secret
generated once in development), or RS256 with keys from ``BZGRAPH_JWT_JWKS_URL``. ``exp`` and
``sub`` are required; ``roles`` (a list) may hold ``moderator``. A request without a token is
anonymous; a request with a token that fails verification is refused (``UNAUTHENTICATED``).
"""

from __future__ import annotations

import asyncio
import time
from functools import lru_cache
from typing import Any

import jwt

from bzgraph.context import Context, Viewer
from bzgraph.settings import Settings, get_settings

ROLES = frozenset({"moderator"})


class InvalidToken(Exception):
    """The token cannot be trusted; the message is safe to show."""


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=5)


def _decode(token: str, settings: Settings) -> dict[str, Any]:
    options = {"require": ["exp", "sub"]}
    try:
        header = jwt.get_unverified_header(token)
        if settings.jwt_jwks_url and header.get("alg") == "RS256":
            key: Any = _jwks_client(settings.jwt_jwks_url).get_signing_key_from_jwt(token).key
            algorithms = ["RS256"]
        else:
            key, algorithms = settings.jwt_secret_value(), ["HS256"]
        return jwt.decode(token, key, algorithms=algorithms, options=options,
                          audience=settings.jwt_audience, issuer=settings.jwt_issuer)
    except jwt.ExpiredSignatureError:
        raise InvalidToken("the token has expired") from None
    except (jwt.PyJWTError, ValueError):
        raise InvalidToken("the token is not valid") from None


def viewer_from_token(token: str, settings: Settings) -> Viewer:
    """Verify ``token``; the account it names, with its known roles."""
    claims = _decode(token, settings)
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > 200 or not sub.isprintable():
        raise InvalidToken("the token's subject is not valid")
    roles = claims.get("roles") or []
    if not isinstance(roles, list):
        raise InvalidToken("the token's roles are not a list")
    return Viewer(id=f"user:{sub}", sub=sub, roles=frozenset(r for r in roles if r in ROLES))


async def authenticate(context: Context, authorization: str | None) -> None:
    """Set ``context.viewer`` from the ``Authorization`` header (or ``auth_error`` when it is bad)."""
    context.viewer = None
    if not authorization:
        return
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        context.auth_error = "the Authorization header must be `Bearer <token>`"
        return
    try:
        # JWKS lookups may touch the network: keep them off the event loop.
        viewer = await asyncio.to_thread(viewer_from_token, token.strip(), get_settings())
    except InvalidToken as exc:
        context.auth_error = str(exc)
        return
    context.viewer = viewer
    if viewer.id not in _known_accounts:
        # The account is created on its first authenticated request (once per process).
        await context.db.write("accounts/ensure-user", userId=viewer.id, sub=viewer.sub)
        _known_accounts.add(viewer.id)


_known_accounts: set[str] = set()


def issue_token(sub: str, roles: list[str], ttl: int, settings: Settings) -> str:
    """A signed HS256 token for local use (``bzgraph token``)."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": sub, "roles": roles, "iat": now, "exp": now + ttl}
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    return jwt.encode(claims, settings.jwt_secret_value(), algorithm="HS256")
