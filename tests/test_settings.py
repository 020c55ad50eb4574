"""Settings come from BZGRAPH_* variables, validated, with clear messages."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from starlette.middleware.cors import CORSMiddleware

from bzgraph.settings import Settings, SettingsError, get_settings


def _fresh(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        return get_settings()
    finally:
        get_settings.cache_clear()


def test_routing_uri_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _fresh(monkeypatch, BZGRAPH_NEO4J_URI="neo4j+s://abc.databases.neo4j.io")
    assert settings.neo4j_uri.startswith("neo4j+s://")


def test_bad_values_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="BZGRAPH_NEO4J_URI"):
        _fresh(monkeypatch, BZGRAPH_NEO4J_URI="http://localhost:7474")
    monkeypatch.delenv("BZGRAPH_NEO4J_URI")
    with pytest.raises(SettingsError, match="BZGRAPH_NEO4J_TIMEOUT"):
        _fresh(monkeypatch, BZGRAPH_NEO4J_TIMEOUT="soon")
    monkeypatch.delenv("BZGRAPH_NEO4J_TIMEOUT")
    # a body limit too small for the contract's documents, or past what uvicorn would buffer
    for body_bytes in ("1023", "1073741825"):
        with pytest.raises(SettingsError, match="BZGRAPH_MAX_BODY_BYTES"):
            _fresh(monkeypatch, BZGRAPH_MAX_BODY_BYTES=body_bytes)
    assert _fresh(monkeypatch, BZGRAPH_MAX_BODY_BYTES="1024").max_body_bytes == 1024


def test_empty_values_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """As docker-compose passes them: an empty audience or issuer required them empty in every token."""
    settings = _fresh(monkeypatch, BZGRAPH_JWT_SECRET="", BZGRAPH_JWT_AUDIENCE="", BZGRAPH_JWT_ISSUER="")
    assert settings.jwt_secret is None and settings.jwt_audience is None and settings.jwt_issuer is None
    defaults = Settings.model_fields
    settings = _fresh(monkeypatch, BZGRAPH_ENV="", BZGRAPH_MAX_TOKENS="", BZGRAPH_BODY_TIMEOUT="", BZGRAPH_NEO4J_TIMEOUT="")
    assert settings.env == "development" and settings.max_tokens == defaults["max_tokens"].default
    assert settings.body_timeout == defaults["body_timeout"].default


def test_compose_passes_every_setting_the_api_reads() -> None:
    """`docker compose` hands the API only the variables its file names: each setting a deployment
    may change must be there, or a .env file's value never reaches the API."""
    from pathlib import Path

    compose = (Path(__file__).resolve().parents[1] / "docker-compose.yml").read_text()
    # the local server of `bzgraph db` (the compose file gives its Neo4j the heap, page cache and transaction memory)
    local_only = {"state_dir", "db_instance", "db_heap", "db_pagecache", "db_transaction_memory"}
    for name in set(Settings.model_fields) - local_only:
        assert f"BZGRAPH_{name.upper()}:" in compose, name


def test_production_refuses_a_generated_secret(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    settings = Settings(env="production", state_dir=tmp_path)
    with pytest.raises(SettingsError, match="BZGRAPH_JWT_SECRET"):
        settings.jwt_secret_value()


def test_a_token_in_production_without_a_secret_is_a_one_line_error(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "BZGRAPH_ENV": "production", "BZGRAPH_STATE_DIR": str(tmp_path)}
    env.pop("BZGRAPH_JWT_SECRET", None)
    done = subprocess.run([sys.executable, "-m", "bzgraph.cli", "token", "--sub", "carol"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "bzgraph: invalid setting: BZGRAPH_JWT_SECRET must be set when BZGRAPH_ENV=production"


def test_production_refuses_a_short_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    for short in ("short", " " * 40, "abc " * 10):  # white space is no key material
        with pytest.raises(SettingsError, match="^invalid setting: BZGRAPH_JWT_SECRET must have at least 32 characters"):
            _fresh(monkeypatch, BZGRAPH_ENV="production", BZGRAPH_JWT_SECRET=short)
    assert _fresh(monkeypatch, BZGRAPH_ENV="production", BZGRAPH_JWT_SECRET="s" * 32).env == "production"


@pytest.mark.parametrize("origins", ["ui.example.org", "https://ui.example.org/", "https://ui.example.org/app",
                                     "https://a.example.org, ftp://b.example.org", "https://ui.example.org:port"])
def test_cors_origins_that_could_never_match_are_refused(monkeypatch: pytest.MonkeyPatch, origins: str) -> None:
    with pytest.raises(SettingsError, match="BZGRAPH_CORS_ORIGINS"):
        _fresh(monkeypatch, BZGRAPH_CORS_ORIGINS=origins)


def test_cors_origins_as_browsers_send_them_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _fresh(monkeypatch, BZGRAPH_CORS_ORIGINS="https://ui.example.org, http://localhost:5173,*")
    assert settings.cors_origin_list == ["https://ui.example.org", "http://localhost:5173", "*"]


def test_cors_origins_are_kept_as_browsers_serialize_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CORS middleware compares exact strings: an origin written with capitals, a default port or
    a non-ASCII host would never match the browser's ``Origin`` header unless stored as it sends it."""
    settings = _fresh(monkeypatch, BZGRAPH_CORS_ORIGINS="HTTPS://UI.Example.org,http://localhost:80,"
                                                        "https://bücher.example:8443,http://[::1]:5173")
    assert settings.cors_origin_list == ["https://ui.example.org", "http://localhost",
                                         "https://xn--bcher-kva.example:8443", "http://[::1]:5173"]
    cors = CORSMiddleware(app=None, allow_origins=settings.cors_origin_list)  # as bzgraph.app installs it
    assert cors.is_allowed_origin("https://ui.example.org") and cors.is_allowed_origin("http://localhost")


def test_a_jwks_url_must_be_a_web_address_and_https_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    for bad in ("idp.example.org/jwks", "file:///etc/keys.json", "https://"):
        with pytest.raises(SettingsError, match="BZGRAPH_JWT_JWKS_URL"):
            _fresh(monkeypatch, BZGRAPH_JWT_JWKS_URL=bad)
    assert _fresh(monkeypatch, BZGRAPH_JWT_JWKS_URL="http://127.0.0.1:9000/jwks").jwt_jwks_url
    with pytest.raises(SettingsError, match="https:// in production"):
        _fresh(monkeypatch, BZGRAPH_JWT_JWKS_URL="http://idp.example.org/jwks", BZGRAPH_ENV="production")
    for good in ("https://idp.example.org/jwks", "http://127.0.0.1:9000/jwks"):  # a sidecar on this machine
        assert _fresh(monkeypatch, BZGRAPH_JWT_JWKS_URL=good, BZGRAPH_ENV="production").jwt_jwks_url == good


@pytest.mark.parametrize("value, kept", [("0", None), ("0g", None), ("", None), ("1024k", "1024k"), ("256m", "256m")])
def test_transaction_memory_is_none_or_a_size_neo4j_takes(monkeypatch: pytest.MonkeyPatch, value: str,
                                                           kept: str | None) -> None:
    assert _fresh(monkeypatch, BZGRAPH_DB_TRANSACTION_MEMORY=value).db_transaction_memory == kept


@pytest.mark.parametrize("value", ["512k", "1023k", "10", "1t", "-1m"])
def test_transaction_memory_neo4j_would_refuse_at_start_is_refused_here(monkeypatch: pytest.MonkeyPatch,
                                                                         value: str) -> None:
    with pytest.raises(SettingsError, match="BZGRAPH_DB_TRANSACTION_MEMORY"):
        _fresh(monkeypatch, BZGRAPH_DB_TRANSACTION_MEMORY=value)


def test_importing_the_app_reads_no_setting() -> None:
    """`create_app(settings)` takes its settings as given: importing the app (and its schema) must
    not read the environment, where a bad value would fail an embedder that passes its own."""
    env = {**os.environ, "BZGRAPH_NEO4J_TIMEOUT": "not-a-number"}
    done = subprocess.run([sys.executable, "-c", "import bzgraph.app, bzgraph.schema; print('imported')"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "imported", done.stderr


def test_a_generated_secret_is_the_owners_alone_and_one_for_processes_starting_together(tmp_path) -> None:
    """Eight processes asking for the development JWT secret at once, in a fresh state folder: one
    secret, in a file only its owner may read. (The file used to be written, then made private, and
    racing processes could each write their own; that race is rare, so this checks the outcome.)"""
    import stat

    env = {**os.environ, "BZGRAPH_STATE_DIR": str(tmp_path / "state"), "BZGRAPH_JWT_SECRET": ""}
    env.pop("BZGRAPH_JWT_SECRET")
    code = "from bzgraph.settings import get_settings; print(get_settings().jwt_secret_value())"
    runs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env) for _ in range(8)]
    secrets = {run.communicate(timeout=60)[0].strip() for run in runs}
    path = tmp_path / "state" / "jwt-secret"
    assert secrets == {path.read_text().strip()} and len(secrets.pop()) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["jwt-secret"]  # no draft left behind


@pytest.mark.parametrize("uri", ["bolt://127.0.0.1:notaport", "bolt://", "bolt://127.0.0.1:99999", "neo4j://:7687",
                                 "bolt://127.0.0.1:0"])
def test_a_database_address_without_a_host_or_with_a_bad_port_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                                          uri: str) -> None:
    """Refused at start with the setting named (a port that is no number made the driver fail with a
    traceback; no host or port 99999 left the server saying "not available" for ever)."""
    with pytest.raises(SettingsError, match="BZGRAPH_NEO4J_URI"):
        _fresh(monkeypatch, BZGRAPH_NEO4J_URI=uri)
    assert _fresh(monkeypatch, BZGRAPH_NEO4J_URI="bolt://[::1]:7690").neo4j_uri == "bolt://[::1]:7690"


def test_serve_refuses_a_state_folder_it_cannot_keep_its_secret_in(tmp_path) -> None:
    """Found at start, exit 2 with the setting named: it failed every signed-in request with a 500."""
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    env = {**os.environ, "BZGRAPH_STATE_DIR": str(blocked / "state"), "BZGRAPH_JWT_SECRET": "",
           "BZGRAPH_NEO4J_PASSWORD": "unused"}
    done = subprocess.run([sys.executable, "-m", "bzgraph.cli", "serve", "--port", "1"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "BZGRAPH_STATE_DIR" in done.stderr and "BZGRAPH_JWT_SECRET" in done.stderr
