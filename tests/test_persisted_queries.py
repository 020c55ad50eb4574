"""Automatic persisted queries (Apollo's protocol): a client sends a document's SHA-256 in place of
its text; an unknown hash is answered ``PersistedQueryNotFound``, and the text sent once with its
hash is found by it afterwards, over POST and GET."""

from __future__ import annotations

import hashlib
import json

import pytest

from bzgraph.persisted import ENTRY_COST, PersistedQueries
from support import codes, contract

REFERENCE = "bzr-leon-bungert"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _extension(sha: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


async def test_an_unknown_hash_asks_for_the_text_then_the_hash_alone_runs_it(api, seeded) -> None:
    document = contract("ProfilePage").replace("query ProfilePage", "query ProfilePagePersisted")  # new to the server
    sha, variables = _sha(document), {"id": REFERENCE}
    plain = (await api.post("/graphql", json={"query": document, "variables": variables})).json()
    assert "errors" not in plain, plain

    miss = await api.post("/graphql", json={"variables": variables, "extensions": _extension(sha)})
    assert miss.status_code == 200 and miss.headers["cache-control"] == "private, no-cache, must-revalidate"
    assert miss.json() == {"errors": [{"message": "PersistedQueryNotFound",
                                       "extensions": {"code": "BAD_USER_INPUT"}}]}

    sent = await api.post("/graphql", json={"query": document, "variables": variables, "extensions": _extension(sha)})
    assert sent.json() == plain
    by_hash = await api.post("/graphql", json={"variables": variables, "extensions": _extension(sha.upper())})
    assert by_hash.json() == plain
    assert by_hash.json()["extensions"]["cypherRoundTrips"] == 1
    over_get = await api.get("/graphql", params={"variables": json.dumps(variables),
                                                 "extensions": json.dumps(_extension(sha))})
    assert over_get.status_code == 200 and over_get.json() == plain


async def test_a_miss_asked_for_graphql_response_json_is_a_400(api, seeded) -> None:
    miss = await api.post("/graphql", json={"extensions": _extension(_sha("{ __typename } # never sent"))},
                          headers={"accept": "application/graphql-response+json"})
    assert miss.status_code == 400 and codes(miss.json()) == ["BAD_USER_INPUT"]
    assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"


@pytest.mark.parametrize("extension, message", [
    ({"version": 2, "sha256Hash": "0" * 64}, "version"),
    ({"version": True, "sha256Hash": "0" * 64}, "version"),
    ({"sha256Hash": "0" * 64}, "version"),
    ("abc", "version"),
    ({"version": 1, "sha256Hash": "0" * 63}, "64 digits"),
    ({"version": 1, "sha256Hash": "g" * 64}, "64 digits"),
    ({"version": 1}, "64 digits"),
])
async def test_a_malformed_extension_is_bad_user_input(api, seeded, extension, message: str) -> None:
    response = await api.post("/graphql", json={"query": "{ __typename }", "extensions": {"persistedQuery": extension}})
    assert response.status_code == 400 and codes(response.json()) == ["BAD_USER_INPUT"]
    assert message in response.json()["errors"][0]["message"]


async def test_a_text_that_is_not_the_hashs_is_refused_and_not_kept(api, seeded) -> None:
    claimed = _sha("{ __typename } # the text the hash was made of")
    response = await api.post("/graphql", json={"query": "{ __typename }", "extensions": _extension(claimed)})
    assert response.status_code == 400 and "not the SHA-256" in response.json()["errors"][0]["message"]
    again = await api.post("/graphql", json={"extensions": _extension(claimed)})
    assert again.json()["errors"][0]["message"] == "PersistedQueryNotFound"


async def test_a_persisted_mutation_is_still_refused_over_get(api, seeded) -> None:
    document = "mutation PersistedFollow($id: ID!) { followResearcher(id: $id) { researcher { id } } }"
    sha = _sha(document)
    sent = await api.post("/graphql", json={"query": document, "variables": {"id": REFERENCE},
                                            "extensions": _extension(sha)})
    assert codes(sent.json()) == ["UNAUTHENTICATED"]  # kept, though refused: no token
    over_get = await api.get("/graphql", params={"variables": json.dumps({"id": REFERENCE}),
                                                 "extensions": json.dumps(_extension(sha))})
    assert over_get.status_code == 405 and codes(over_get.json()) == ["BAD_USER_INPUT"]


async def test_a_text_that_does_not_parse_or_validate_is_not_kept(api, seeded) -> None:
    for text in ("query {", "query { nope }", "query Unkept { researcher(id: 1, id: 2) { id } }"):
        sha = _sha(text)
        sent = await api.post("/graphql", json={"query": text, "extensions": _extension(sha)})
        assert codes(sent.json()) == ["BAD_USER_INPUT"] and "data" not in sent.json(), (text, sent.json())
        again = await api.post("/graphql", json={"extensions": _extension(sha)})
        assert again.json()["errors"][0]["message"] == "PersistedQueryNotFound", text


async def test_a_text_over_the_cost_limit_is_not_kept(api, seeded) -> None:
    text = "{ " + " ".join(f'a{i}: explore(id: "{REFERENCE}", depth: 2, limit: 500) {{ nodes {{ id }} }}'
                           for i in range(25)) + " }"
    sent = await api.post("/graphql", json={"query": text, "extensions": _extension(_sha(text))})
    assert codes(sent.json()) == ["QUERY_TOO_COMPLEX"]
    again = await api.post("/graphql", json={"extensions": _extension(_sha(text))})
    assert again.json()["errors"][0]["message"] == "PersistedQueryNotFound"


def test_the_texts_kept_are_bounded_by_their_length_least_recently_used_first() -> None:
    kept = PersistedQueries(budget=3 * (10 + ENTRY_COST))
    for name in "abc":
        kept.add(name * 64, name * 10)
    assert kept.get("a" * 64) == "a" * 10  # now the most recently used
    kept.add("d" * 64, "d" * 10)
    assert kept.get("b" * 64) is None and len(kept) == 3
    assert [kept.get(n * 64) for n in "acd"] == ["a" * 10, "c" * 10, "d" * 10]
    kept.add("e" * 64, "e" * 1000)  # more than the budget alone: kept, and everything else goes
    assert len(kept) == 1 and kept.get("e" * 64) == "e" * 1000
    again = PersistedQueries(budget=2 * (10 + ENTRY_COST))
    again.add("a" * 64, "a" * 10)
    again.add("b" * 64, "b" * 10)
    again.add("a" * 64, "a" * 10)  # sent again with its text (a client whose cache lost the hit): recently used
    again.add("c" * 64, "c" * 10)
    assert again.get("b" * 64) is None and again.get("a" * 64) == "a" * 10
    tiny = PersistedQueries(budget=10 * (1 + ENTRY_COST))
    for i in range(100):  # tiny texts are counted with what their entry costs
        tiny.add(f"{i:064x}", "x")
    assert len(tiny) == 10
