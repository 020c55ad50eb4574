"""Bearer token → Viewer.

Tokens are JWTs verified with PyJWT: HS256 with ``BZGRAPH_JWT_SECRET`` (or, in development, the
local secret generated once), or RS256 with keys from ``BZGRAPH_JWT_JWKS_URL``. ``exp`` and ``sub``
are required; ``roles`` (a list) may hold ``moderator``. A request without a token is anonymous; a
request with a token that fails verification is refused as a whole (``UNAUTHENTICATED``), reads
included. See docs/auth.md.
"""

from __future__ import annotations

import asyncio
import time
from functools import lru_cache
from typing import Any, TypeGuard

import jwt

from bzgraph import identifiers
from bzgraph.context import Context, Viewer
from bzgraph.db import track_commits
from bzgraph.errors import BadUserInput, BzgraphError, ServiceUnavailable, Unauthenticated
from bzgraph.settings import Settings

ROLES = frozenset({"moderator"})
# Clocks differ: an identity provider's clock a little ahead of ours makes a fresh token's `iat` or
# `nbf` lie in our future. Times are checked with this margin, `exp` included.
LEEWAY_SECONDS = 30
OWN_TOKEN_MAX_SECONDS = 30 * 86_400  # tokens the server's own secret signs expire within 30 days
# Identity providers' access tokens take 1-2 KB; a longer one is refused before its signature is
# checked (checking a forged 10 MB token took a second of CPU).
TOKEN_MAX_CHARS = 8192
# Accounts known to exist, so the account is written once per process, not once per request.
_KNOWN_ACCOUNTS_MAX = 100_000
_known_accounts: set[str] = set()


class InvalidToken(Exception):
    """The token cannot be trusted; the message is safe to show."""


class KeysUnavailable(InvalidToken):
    """The identity provider's keys could not be fetched, so the token could not be checked."""


JWKS_LIFESPAN = 300  # seconds the identity provider's key set is kept before it is fetched again
JWKS_KEPT_IN_OUTAGE = 3600  # seconds after its last fetch a key set stays in use while the provider is out of reach
JWKS_COOLDOWN = 30  # seconds after a fetch before a token's unknown `kid` fetches the key set again (PyJWT ≥ 2.14)


class _KeySetClient(jwt.PyJWKClient):
    """PyJWT's JWKS client, its key set cached (its keys only within it: PyJWT's own cache of keys
    never expires, and a key the provider withdrew stayed trusted until a restart). When the
    provider cannot be reached, the last key set fetched stays in use, for up to
    ``JWKS_KEPT_IN_OUTAGE`` after that fetch, and is cached again: an outage neither locks every
    user out nor makes each request wait for the provider in turn."""

    _last: tuple[float, Any] | None = None  # when the last key set was fetched, and the set

    def fetch_data(self) -> Any:
        try:
            data = super().fetch_data()
        except jwt.PyJWKClientConnectionError:
            if self._last is not None and time.monotonic() - self._last[0] < JWKS_KEPT_IN_OUTAGE:
                return self._last[1]
            raise
        self._last = (time.monotonic(), data)
        return data


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return _KeySetClient(url, cache_keys=False, cache_jwk_set=True, lifespan=JWKS_LIFESPAN, timeout=5,
                         cooldown_duration=JWKS_COOLDOWN)


def _key_for(algorithm: str, token: str, settings: Settings) -> Any:
    """The verification key for a token signed with ``algorithm``; only HS256 and RS256 pass."""
    if algorithm == "RS256" and settings.jwt_jwks_url:
        try:
            return _jwks_client(settings.jwt_jwks_url).get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError:
            raise KeysUnavailable("the identity provider's keys could not be fetched; try again shortly") from None
    if algorithm == "HS256":
        if settings.jwt_secret is None and settings.env == "production":
            raise InvalidToken("this deployment accepts only tokens of its identity provider")
        return settings.jwt_secret_value()
    raise InvalidToken("the token is not valid")  # `none`, other algorithms, RS256 without a JWKS URL


def _decode(token: str, settings: Settings) -> dict[str, Any]:
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
        if not isinstance(algorithm, str):
            raise InvalidToken("the token is not valid")
        key = _key_for(algorithm, token, settings)
        claims = jwt.decode(token, key, algorithms=[algorithm], options={"require": ["exp", "sub"]},
                            leeway=LEEWAY_SECONDS, audience=settings.jwt_audience, issuer=settings.jwt_issuer)
        if algorithm == "HS256" and int(claims["exp"]) > time.time() + OWN_TOKEN_MAX_SECONDS + LEEWAY_SECONDS:
            # the server's own secret signs them, and nothing revokes one: none lives for years
            raise InvalidToken(f"the token expires more than {OWN_TOKEN_MAX_SECONDS // 86_400} days from now")
        return claims
    except jwt.ExpiredSignatureError:
        raise InvalidToken("the token has expired") from None
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError):
        raise InvalidToken("the token is not valid") from None


def viewer_from_token(token: str, settings: Settings) -> Viewer:
    """Verify ``token``; the account it names, with its known roles."""
    claims = _decode(token, settings)
    sub = claims.get("sub")
    if not valid_subject(sub):
        raise InvalidToken("the token's subject is not valid")
    roles = claims.get("roles")
    roles = [] if roles is None else roles  # absent or null: no roles
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise InvalidToken("the token's roles are not a list of names")
    return Viewer(id=f"user:{sub}", sub=sub, roles=frozenset(roles) & ROLES, orcid=_verified_orcid(claims, settings))


def _verified_orcid(claims: dict[str, Any], settings: Settings) -> str | None:
    """The ORCID iD in the claim ``BZGRAPH_JWT_ORCID_CLAIM`` names, as ``0000-0000-0000-0000`` (None
    when the setting is unset, or the claim absent or no iD)."""
    if not settings.jwt_orcid_claim:
        return None
    value = claims.get(settings.jwt_orcid_claim)
    return identifiers.orcid(value) if isinstance(value, str) else None


def valid_subject(sub: object) -> TypeGuard[str]:
    """An account name: 1–200 printable characters, not beginning or ending with a space (a blank
    name, or one that differs from another only by its spaces, would be an account of its own)."""
    return isinstance(sub, str) and 0 < len(sub) <= 200 and sub.isprintable() and sub.strip() == sub


async def authenticate(context: Context, headers: list[str]) -> None:
    """Set ``context.viewer`` from the request's ``Authorization`` headers (or ``auth_error`` when
    it is bad). More than one is refused: a proxy that checked one and a server that read another
    would disagree about who is asking."""
    context.viewer = None
    if len(headers) > 1:  # a malformed request (a 400, RFC 6750 section 3.1), whatever the tokens
        context.auth_error = BadUserInput(f"the request has {len(headers)} Authorization headers: send one")
        return
    authorization = headers[0] if headers else None
    if not authorization:
        return
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()  # white space between the scheme and the token is not part of it
    if scheme.lower() != "bearer" or not token:
        context.auth_error = Unauthenticated("the Authorization header must be `Bearer <token>`")
        return
    if len(token) > TOKEN_MAX_CHARS:
        context.auth_error = Unauthenticated(f"the token is longer than {TOKEN_MAX_CHARS} characters")
        return
    settings = context.db.settings
    try:
        # JWKS lookups may touch the network: keep them off the event loop.
        viewer = await asyncio.to_thread(viewer_from_token, token, settings)
    except InvalidToken as exc:
        context.auth_error = (ServiceUnavailable if isinstance(exc, KeysUnavailable) else Unauthenticated)(str(exc))
        return
    context.viewer = viewer
    await _ensure_account(context, viewer)


async def _ensure_account(context: Context, viewer: Viewer) -> None:
    """Create the account on its first authenticated request (idempotent)."""
    if viewer.id in _known_accounts:
        return
    try:
        with track_commits():  # tracked apart: the account is no change the request asked for (shutdown.py)
            await context.db.write("accounts/ensure-user", userId=viewer.id, sub=viewer.sub)
    except BzgraphError:
        return  # the operation answers for itself (SERVICE_UNAVAILABLE); try again next request
    if len(_known_accounts) >= _KNOWN_ACCOUNTS_MAX:
        _known_accounts.clear()
    _known_accounts.add(viewer.id)


def issue_token(sub: str, roles: list[str], ttl: int, settings: Settings, orcid: str | None = None) -> str:
    """A signed HS256 token for local use (``bzgraph token``); ``orcid`` goes in the claim
    ``BZGRAPH_JWT_ORCID_CLAIM`` names (``orcid`` when unset, which the server then does not read)."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": sub, "roles": roles, "iat": now, "exp": now + ttl}
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if orcid is not None:
        claim = settings.jwt_orcid_claim or "orcid"
        if claim in claims:  # `sub`, say: the iD would replace the subject
            raise ValueError(f"BZGRAPH_JWT_ORCID_CLAIM={claim} names a claim the token has already")
        claims[claim] = orcid
    return jwt.encode(claims, settings.jwt_secret_value(), algorithm="HS256")
