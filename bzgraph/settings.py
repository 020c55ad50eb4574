"""Settings, read once from the environment (``BZGRAPH_*``) and validated by pydantic-settings."""

from __future__ import annotations

import contextlib
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting bzgraph reads. Defaults let a fresh checkout run with no settings at all."""

    model_config = SettingsConfigDict(env_prefix="BZGRAPH_", extra="ignore",
                                      env_ignore_empty=True)  # "" is unset, as docker-compose passes it

    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    # None means: use the password `bzgraph db start` generated for the local server.
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    # Seconds to wait for the database: a request's queries all end within it (bzgraph.db.deadline; three
    # times it while serve's warm-up runs, bzgraph.app.request_time); one call outside a request, with the
    # driver's retries, within three times it.
    neo4j_timeout: float = Field(default=5.0, gt=0, le=300)
    # Queries whose cost follows the graph's shape (explore at depth 2 past limit 100, collaboration paths,
    # analyst queries) that one process runs at once, half of them for one request; more wait for a slot
    # within their request's time.
    heavy_queries: int = Field(default=4, ge=1, le=1000)

    # Where the local Neo4j, its password and the local JWT secret live (git-ignored).
    state_dir: Path = PROJECT_ROOT / ".bzgraph"
    # Local server (``bzgraph db``; its Bolt port comes from neo4j_uri): instance name and memory,
    # sized for a 2-core / 24 GB machine.
    db_instance: str = Field(default="default", pattern=r"^[A-Za-z0-9_-]{1,40}$")
    db_heap: str = Field(default="2g", pattern=r"^\d+[kmgKMG]$")
    db_pagecache: str = Field(default="2g", pattern=r"^\d+[kmgKMG]$")
    # The most memory one transaction may use (db.memory.transaction.max); None or 0: no limit of its own.
    db_transaction_memory: str | None = Field(default=None, pattern=r"^(0|\d+[kmgKMG])$")

    jwt_secret: SecretStr | None = None
    jwt_jwks_url: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    # The token claim that holds the account's ORCID iD as the identity provider verified it (`sub` for ORCID's
    # own sign-in, whose subject is the iD; a claim an identity provider maps, e.g. `orcid`); None: none is taken.
    jwt_orcid_claim: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_:./-]{1,100}$")
    env: Literal["development", "production"] = "development"

    # Request limits: the body's size and the time it may take to arrive, then the GraphQL document's.
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=1_073_741_824)
    body_timeout: float = Field(default=30.0, gt=0, le=3600)
    # seconds a request's line and headers may take, from the connection's start or the request's first byte
    header_timeout: float = Field(default=10.0, gt=0, le=3600)
    max_query_depth: int = Field(default=12, ge=2, le=64)
    max_aliases: int = Field(default=30, ge=1, le=1000)
    max_tokens: int = Field(default=2000, ge=50, le=100_000)
    # characters of a document's text (comments and white space are not tokens): parsed documents
    # and their plans are cached, so this bounds the caches in bytes
    max_document_chars: int = Field(default=50_000, ge=1000, le=1_048_576)
    # The most fields an operation could resolve, estimated before it runs (bzgraph/cost.py).
    max_query_cost: int = Field(default=20_000, ge=100, le=10_000_000)

    # An operation taking this long or longer is logged at WARNING (every operation is logged at INFO).
    slow_operation_seconds: float = Field(default=1.0, gt=0, le=3600)
    # Which operations `bzgraph serve` logs: every one (a line each, at INFO), the slow ones, or none.
    log_operations: Literal["all", "slow", "none"] = "all"

    # Browser UIs on other origins that may call the API (comma-separated; "*" for any). None: same origin only.
    cors_origins: str | None = None
    # The GraphiQL page at GET /graphql; None: on in development, off in production.
    graphiql: bool | None = None
    # Prometheus metrics at GET /metrics (bzgraph/metrics.py); None: on in development, off in production.
    metrics: bool | None = None
    # Operation names labelled in the metrics besides the contract's (comma-separated): a UI's own.
    metrics_operations: str = ""

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else self.env == "development"

    @property
    def metrics_enabled(self) -> bool:
        return self.metrics if self.metrics is not None else self.env == "development"

    @property
    def metrics_operation_list(self) -> list[str]:
        return [name.strip() for name in self.metrics_operations.split(",") if name.strip()]

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in (self.cors_origins or "").split(",") if origin.strip()]

    @field_validator("neo4j_password", "jwt_secret", "jwt_jwks_url", "jwt_audience", "jwt_issuer", "jwt_orcid_claim",
                     "cors_origins",
                     "graphiql", "metrics", "db_transaction_memory", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _secret_strong_enough(self) -> Settings:
        secret = self.jwt_secret.get_secret_value() if self.jwt_secret is not None else None
        if self.env == "production" and secret is not None and len("".join(secret.split())) < 32:
            raise ValueError("BZGRAPH_JWT_SECRET must have at least 32 characters in production, white space not "
                             "counted (HS256 needs a 256-bit key)")
        return self

    @field_validator("db_transaction_memory")
    @classmethod
    def _transaction_memory(cls, value: str | None) -> str | None:
        """None for no limit (0 in any unit); Neo4j refuses to start with a limit under 1 MiB."""
        if value is None or int(value[:-1] or 0) == 0:
            return None
        if value[-1] in "kK" and int(value[:-1]) < 1024:
            raise ValueError("must be 0 (no limit) or at least 1024k: Neo4j takes no smaller limit")
        return value

    @field_validator("jwt_jwks_url")
    @classmethod
    def _jwks_url(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("must be an http:// or https:// URL of the identity provider's keys")
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: str | None) -> str | None:
        """Each origin as browsers send it, scheme://host[:port] (no path), or "*": any other entry
        would never match, and the UI it was meant for would be refused without a word. Written
        otherwise but meaning the same origin (capitals, a default port, a non-ASCII host), an entry
        is stored as a browser serializes it, since the CORS middleware compares exact strings."""
        if value is None:
            return None
        return ",".join(_origin(entry.strip()) for entry in value.split(",") if entry.strip())

    @model_validator(mode="after")
    def _keys_over_https_in_production(self) -> Settings:
        url = urlsplit(self.jwt_jwks_url or "")
        if self.env == "production" and url.scheme == "http" and url.hostname not in ("localhost", "127.0.0.1", "::1"):
            raise ValueError("BZGRAPH_JWT_JWKS_URL must be https:// in production, unless on this machine (keys "
                             "fetched over plain HTTP could be replaced on the way)")
        return self

    @field_validator("neo4j_uri")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        schemes = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
        if not value.startswith(schemes):
            raise ValueError(f"must start with one of {', '.join(schemes)}")
        try:
            parts = urlsplit(value)
            port = parts.port  # a port that is no number, or past 65535, raises here
        except ValueError:
            raise ValueError("has a port that is not a number from 1 to 65535") from None
        if not parts.hostname:
            raise ValueError("names no host (e.g. bolt://127.0.0.1:7687)")
        if port == 0:
            raise ValueError("has a port that is not a number from 1 to 65535")
        return value

    @property
    def password_file(self) -> Path:
        return self.state_dir / "neo4j-password"

    def neo4j_password_value(self) -> str:
        """The configured password, else the one the local server was set up with."""
        if self.neo4j_password is not None:
            return self.neo4j_password.get_secret_value()
        if self.password_file.exists():
            return self.password_file.read_text().strip()
        return "neo4j"

    def jwt_secret_value(self) -> str:
        """The configured HS256 secret; in development, a local one generated once."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        if self.env == "production":
            raise SettingsError("invalid setting: BZGRAPH_JWT_SECRET must be set when BZGRAPH_ENV=production")
        return secret_file(self.state_dir / "jwt-secret", secrets.token_urlsafe(48))


def secret_file(path: Path, value: str) -> str:
    """The secret kept in ``path``, written with ``value`` if there is none yet. The file is the
    owner's alone from its first byte, and appears whole: processes starting together all end up
    with the one secret the first of them wrote."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(value)
        try:
            os.link(draft, path)  # atomic, and refused when another process got there first
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: created at once, private, or left as it is
            with contextlib.suppress(FileExistsError), os.fdopen(
                    os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
                file.write(value)
        finally:
            draft.unlink()
    return path.read_text().strip()


class SettingsError(Exception):
    """A setting has a bad value; the message names it."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            message = err["msg"].removeprefix("Value error, ")
            if err["loc"]:  # a check of several settings names them itself
                message = "BZGRAPH_" + "_".join(str(p) for p in err["loc"]).upper() + ": " + message
            lines.append(message)
        raise SettingsError("invalid setting: " + "; ".join(lines)) from None


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(entry: str) -> str:
    """``entry`` as a browser's ``Origin`` header: lower-case scheme and host, the host in ASCII
    (IDNA), no default port; ``*`` as it is. ValueError when it is not an origin at all."""
    if entry == "*":
        return entry
    parts = urlsplit(entry)
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{entry!r} has a bad port") from None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in _DEFAULT_PORTS or not host or parts.path or parts.query or parts.fragment \
            or parts.username or parts.password:
        raise ValueError(f"{entry!r} is not an origin: write scheme://host[:port], without a path "
                         f"or a trailing slash, e.g. https://ui.example.org")
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    else:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"{entry!r} has a host name that cannot be encoded (IDNA)") from None
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != _DEFAULT_PORTS[scheme] else "")
