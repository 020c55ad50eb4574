"""Helpers the tests share: the contract's operations and a GraphQL POST."""

from __future__ import annotations

import httpx

from bzgraph.settings import PROJECT_ROOT

CONTRACT_DIR = PROJECT_ROOT.parent / "shared" / "contract"


def contract(name: str) -> str:
    """The text of a contract operation, verbatim."""
    return (CONTRACT_DIR / f"{name}.graphql").read_text()


async def gql(client: httpx.AsyncClient, query: str, variables: dict | None = None,
              token: str | None = None, url: str = "/graphql") -> dict:
    """POST a GraphQL document; return the JSON body (asserting HTTP 200)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(url, json={"query": query, "variables": variables or {}},
                                 headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def codes(body: dict) -> list[str]:
    """The ``extensions.code`` of every error in a GraphQL response."""
    return [error["extensions"]["code"] for error in body.get("errors", [])]


