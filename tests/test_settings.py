"""Settings come from BZGRAPH_* variables, validated, with clear messages."""

from __future__ import annotations

import pytest

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


def test_empty_secret_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _fresh(monkeypatch, BZGRAPH_JWT_SECRET="")
    assert settings.jwt_secret is None


def test_production_refuses_a_generated_secret(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    settings = Settings(env="production", state_dir=tmp_path)
    with pytest.raises(RuntimeError, match="BZGRAPH_JWT_SECRET"):
        settings.jwt_secret_value()
