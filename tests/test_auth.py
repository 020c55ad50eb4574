"""Authentication: bearer JWTs (HS256, RS256 through a JWKS URL), the token command, accounts,
and every mutation refusing a missing or bad token."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from support import codes, contract, free_port, gql, new_id, token

from bzgraph.api.accounts import list_params
from bzgraph.app import create_app
from bzgraph.auth import InvalidToken, viewer_from_token
from bzgraph.db import Database
from bzgraph.settings import Settings

RESPOND = """mutation($id: ID!, $accept: Boolean!) {
  respondToInvitation(id: $id, accept: $accept) { invitation { id status } } }"""
UPDATE = """mutation($id: ID!, $open: Boolean) {
  updateProfile(id: $id, openToCollaborate: $open) { researcher { id } } }"""

# Every mutation of the schema, with variables that would be valid for a signed-in viewer.
MUTATIONS = [
    (contract("FollowResearcher"), {"id": "bzr-leon-bungert"}),
    (contract("UnfollowResearcher"), {"id": "bzr-leon-bungert"}),
    (contract("ClaimResearcher"), {"id": "bzr-leon-bungert", "evidence": {"email": "x@example.org"}}),
    (contract("ReviewClaim"), {"claimId": "claim:none", "approve": True}),
    (contract("InviteToCollaborate"), {"id": "bzr-leon-bungert", "message": "hello"}),
    (RESPOND, {"id": "invitation:none", "accept": True}),
    (UPDATE, {"id": "bzr-leon-bungert", "open": True}),
]
MUTATION_IDS = ["follow", "unfollow", "claim", "review", "invite", "respond", "updateProfile"]


def bad_tokens(settings: Settings) -> dict[str, str]:
    now = int(time.time())
    secret = settings.jwt_secret_value()
    other_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "forged (wrong key)": jwt.encode({"sub": "eve", "exp": now + 600}, "not-the-secret-" * 3, algorithm="HS256"),
        "expired": jwt.encode({"sub": "eve", "exp": now - 60}, secret, algorithm="HS256"),
        "issued in the future": jwt.encode({"sub": "eve", "exp": now + 600, "iat": now + 120}, secret, algorithm="HS256"),
        "not valid yet": jwt.encode({"sub": "eve", "exp": now + 600, "nbf": now + 120}, secret, algorithm="HS256"),
        "too long": jwt.encode({"sub": "eve", "exp": now + 600, "pad": "x" * 8192}, secret, algorithm="HS256"),
        "alg none": jwt.encode({"sub": "eve", "exp": now + 600}, None, algorithm="none"),
        "no exp": jwt.encode({"sub": "eve"}, secret, algorithm="HS256"),
        "expires in 31 days": jwt.encode({"sub": "eve", "exp": now + 31 * 86_400}, secret, algorithm="HS256"),
        "expires in the year 9999": jwt.encode({"sub": "eve", "exp": 253402300799}, secret, algorithm="HS256"),
        "expires past any float": jwt.encode({"sub": "eve", "exp": 10**400}, secret, algorithm="HS256"),
        "no sub": jwt.encode({"exp": now + 600}, secret, algorithm="HS256"),
        "wrong algorithm": jwt.encode({"sub": "eve", "exp": now + 600}, secret, algorithm="HS512"),
        "RS256 without a JWKS URL": jwt.encode({"sub": "eve", "exp": now + 600}, other_rsa, algorithm="RS256"),
        "roles not a list": jwt.encode({"sub": "eve", "exp": now + 600, "roles": "moderator"}, secret,
                                       algorithm="HS256"),
        **{f"roles {roles!r}": jwt.encode({"sub": "eve", "exp": now + 600, "roles": roles}, secret, algorithm="HS256")
           for roles in ([{}], [["moderator"]], [1], "", {}, 0, False)},
        "tampered payload": _tamper(jwt.encode({"sub": "eve", "exp": now + 600}, secret, algorithm="HS256")),
        **{f"sub {sub!r}": jwt.encode({"sub": sub, "exp": now + 600}, secret, algorithm="HS256")
           for sub in (" ", " eve", "eve\t")},  # blank, or another account than "eve" only by its spaces
        "malformed": "not.a.jwt",
    }


def _tamper(good: str) -> str:
    """The same signature over a payload that now claims the moderator role."""
    header, _, signature = good.split(".")
    payload = jwt.utils.base64url_encode(json.dumps(
        {"sub": "eve", "exp": int(time.time()) + 600, "roles": ["moderator"]}).encode()).decode()
    return f"{header}.{payload}.{signature}"


@pytest.mark.parametrize("operation,variables", MUTATIONS, ids=MUTATION_IDS)
async def test_every_mutation_needs_a_valid_token(api, settings, seeded, operation, variables) -> None:
    before = await seeded.read("accounts/viewer", userId="user:eve", **list_params({}))
    body = await gql(api, operation, variables)
    # refused by the resolver: an execution error, so data is there, with the mutation's field null
    assert codes(body) == ["UNAUTHENTICATED"] and list(body["data"].values()) == [None]
    for name, bad in bad_tokens(settings).items():
        body = await gql(api, operation, variables, token=bad)
        assert codes(body) == ["UNAUTHENTICATED"], name
        assert "data" not in body, name
    assert await seeded.read("accounts/viewer", userId="user:eve", **list_params({})) == before  # no account was made


async def test_reads_are_open_but_a_presented_bad_token_is_refused(api, settings, seeded) -> None:
    query = '{ researcher(id: "bzr-leon-bungert") { id viewerState { isFollowing canClaim canInvite } } }'
    anonymous = await gql(api, query)
    assert anonymous["data"]["researcher"]["viewerState"] == {
        "isFollowing": False, "canClaim": False, "canInvite": False}
    for name, bad in bad_tokens(settings).items():
        body = await gql(api, query, token=bad)
        assert codes(body) == ["UNAUTHENTICATED"] and "data" not in body, name
    expired = await gql(api, query, token=bad_tokens(settings)["expired"])
    assert "expired" in expired["errors"][0]["message"]
    response = await api.post("/graphql", json={"query": query}, headers={"Authorization": "Basic abc"})
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHENTICATED"]
    # two headers, each good alone: which one is meant? a malformed request (RFC 6750's invalid_request,
    # 400), not the first taken silently, nor a bad token (401)
    good = f"Bearer {token(settings, new_id('twice'))}"
    for accept, status in (("application/json", 200), ("application/graphql-response+json", 400)):
        response = await api.post("/graphql", json={"query": query},
                                  headers=[("Authorization", good), ("Authorization", good), ("Accept", accept)])
        assert response.status_code == status and "www-authenticate" not in response.headers
        assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["BAD_USER_INPUT"]
        assert "2 Authorization headers" in response.json()["errors"][0]["message"] and "data" not in response.json()


async def test_a_provider_clock_a_little_ahead_or_behind_is_allowed_for(api, settings, seeded) -> None:
    """A token issued by a clock up to 30 s ahead of ours is not "from the future"; one expired
    less than 30 s ago still passes (the margin PyJWT calls leeway)."""
    now, secret = int(time.time()), settings.jwt_secret_value()
    sub = new_id("skew")
    for claims in ({"iat": now + 20, "nbf": now + 20, "exp": now + 600}, {"iat": now - 600, "exp": now - 10}):
        body = await gql(api, "{ viewer { sub } }", token=jwt.encode({"sub": sub, **claims}, secret, algorithm="HS256"))
        assert body.get("data") == {"viewer": {"sub": sub}}, (claims, body)
    longest = jwt.encode({"sub": sub, "exp": now + 600, "pad": "x" * 6000}, secret, algorithm="HS256")
    assert len(longest) <= 8192 and (await gql(api, "{ viewer { sub } }", token=longest))["data"] == {"viewer": {"sub": sub}}


async def test_a_token_is_read_up_to_8192_characters_with_its_scheme_in_any_case(api, settings, seeded) -> None:
    """RFC 7235: the scheme is case-insensitive (`bearer`, `BEARER`); a token of 8,192 characters is
    read, one of 8,193 refused before it is decoded."""
    now, secret, sub = int(time.time()), settings.jwt_secret_value(), new_id("edge")

    def padded(length: int) -> str:
        """A token of exactly ``length`` characters (base64 skips some lengths: a key more shifts them)."""
        for extra in ({}, {"e": 1}):
            for pad in range(length * 3 // 4 - 400, length):
                encoded = jwt.encode({"sub": sub, "exp": now + 600, "pad": "x" * pad, **extra}, secret, algorithm="HS256")
                if len(encoded) >= length:
                    break
            if len(encoded) == length:
                return encoded
        raise AssertionError(f"no token of {length} characters")

    async def viewer(authorization: str) -> dict:
        response = await api.post("/graphql", json={"query": "{ viewer { sub } }"},
                                  headers={"authorization": authorization})
        return response.json()

    exact = padded(8192)
    for scheme in ("bearer", "BEARER", "Bearer", "Bearer "):  # white space around the token is not part of it
        assert (await viewer(f"{scheme} {exact} ")).get("data") == {"viewer": {"sub": sub}}, (scheme, len(exact))
    over = padded(8193)
    assert codes(await viewer(f"Bearer {over}")) == ["UNAUTHENTICATED"]


async def test_an_account_is_created_on_its_first_authenticated_request(api, settings, seeded) -> None:
    sub = new_id("newcomer")
    assert (await seeded.read("accounts/viewer", userId=f"user:{sub}", **list_params({})))[0]["id"] is None
    body = await gql(api, '{ researcher(id: "bzr-leon-bungert") { id } }', token=token(settings, sub))
    assert "errors" not in body
    assert body["extensions"]["cypherRoundTrips"] == 2  # the account's write is counted with the request's read
    assert (await seeded.read("accounts/viewer", userId=f"user:{sub}", **list_params({})))[0]["id"] == f"user:{sub}"
    again = await gql(api, '{ researcher(id: "bzr-leon-bungert") { id } }', token=token(settings, sub))
    assert again["extensions"]["cypherRoundTrips"] == 1  # written once
    me = await gql(api, "{ viewer { id sub roles } }", token=token(settings, sub, "moderator"))
    assert me["data"]["viewer"] == {"id": f"user:{sub}", "sub": sub, "roles": ["moderator"]}
    assert (await gql(api, "{ viewer { id } }"))["data"]["viewer"] is None


# -- RS256 through a JWKS URL, as an identity provider would serve it ---------------------------

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def serve_jwks(document: Callable[[], dict | None]) -> HTTPServer:
    """A real HTTP server on loopback answering each GET with ``document()`` as a JWKS (None: 503,
    the identity provider down). Shut it down after use."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = document()
            if body is None:
                self.send_error(503)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(body).encode())

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    """The public half of ``RSA_KEY`` served as a JWKS."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(RSA_KEY.public_key()))
    document = {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}
    server = serve_jwks(lambda: document)
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


@contextlib.asynccontextmanager
async def idp_client(settings: Settings, jwks_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app configured for an identity provider: JWKS URL, audience and issuer."""
    configured = settings.model_copy(update={"jwt_jwks_url": jwks_url, "jwt_audience": "bzgraph",
                                             "jwt_issuer": "https://idp.test/"})
    app = create_app(configured)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://idp.test") as client:
            yield client


@pytest.fixture(scope="module")
async def idp_api(seeded: Database, settings: Settings, jwks_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with idp_client(settings, jwks_url) as client:
        yield client


def idp_token(key=RSA_KEY, kid: str = "k1", **overrides: object) -> str:
    claims = {"sub": "idp-user", "roles": ["moderator", "admin"], "exp": int(time.time()) + 60,
              "aud": "bzgraph", "iss": "https://idp.test/", **overrides}
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


async def test_a_key_the_identity_provider_withdraws_is_refused_once_its_key_set_expires(
        seeded: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys live as long as the key set they came in (cached for JWKS_LIFESPAN): a key rotated out,
    or withdrawn as compromised, stops verifying tokens then. PyJWT's cache of keys kept it for good.
    While the provider is out of reach, its last key set stays in use for JWKS_KEPT_IN_OUTAGE."""
    from bzgraph import auth

    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    served: dict = {"keys": [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(RSA_KEY.public_key())), "kid": "k1"}]}
    server = serve_jwks(lambda: None if served.get("down") else served)
    monkeypatch.setattr(auth, "JWKS_LIFESPAN", 0.5)
    try:
        async with idp_client(settings, f"http://127.0.0.1:{server.server_port}/rotating/jwks.json") as client:
            me = await gql(client, "{ viewer { sub } }", token=idp_token())
            assert me["data"]["viewer"] == {"sub": "idp-user"}
            served["keys"] = [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(new_key.public_key())), "kid": "k2"}]
            await asyncio.sleep(0.7)  # the key set has expired
            withdrawn = await gql(client, "{ viewer { sub } }", token=idp_token())
            assert codes(withdrawn) == ["UNAUTHENTICATED"], withdrawn
            rotated = await gql(client, "{ viewer { sub } }", token=idp_token(key=new_key, kid="k2"))
            assert rotated["data"]["viewer"] == {"sub": "idp-user"}
            # The provider goes down: its last key set stays in use for a while, then no longer.
            monkeypatch.setattr(auth, "JWKS_KEPT_IN_OUTAGE", 3.0)  # well past the next request, on a slow machine too
            served["down"] = True
            await asyncio.sleep(0.7)  # the key set has expired; fetching it again fails
            kept = await gql(client, "{ viewer { sub } }", token=idp_token(key=new_key, kid="k2"))
            assert kept["data"]["viewer"] == {"sub": "idp-user"}, kept
            await asyncio.sleep(3.0)  # past JWKS_KEPT_IN_OUTAGE since the last fetch
            gone = await gql(client, "{ viewer { sub } }", token=idp_token(key=new_key, kid="k2"))
            assert codes(gone) == ["SERVICE_UNAVAILABLE"], gone
            # refused before execution (no data): GraphQL over HTTP's status for the code
            strict = await client.post("/graphql", json={"query": "{ viewer { sub } }"}, headers={
                "authorization": f"Bearer {idp_token(key=new_key, kid='k2')}",
                "accept": "application/graphql-response+json"})
            assert strict.status_code == 503 and "data" not in strict.json(), strict.text
            assert codes(strict.json()) == ["SERVICE_UNAVAILABLE"]
    finally:
        server.shutdown()


async def test_tokens_with_made_up_key_ids_do_not_make_each_request_fetch_the_key_set(
        settings: Settings, seeded: Database) -> None:
    """An unknown `kid` fetches the provider's key set again (a key just rotated in), but at most once
    per JWKS_COOLDOWN: a client sending tokens with made-up key ids cannot turn each request into a
    request to the identity provider."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(RSA_KEY.public_key()))
    fetches: list[float] = []

    def counted() -> dict:
        fetches.append(time.monotonic())
        return {"keys": [{**jwk, "kid": "k1"}]}

    server = serve_jwks(counted)
    try:
        async with idp_client(settings, f"http://127.0.0.1:{server.server_port}/cooldown/jwks.json") as client:
            assert (await gql(client, "{ viewer { sub } }", token=idp_token()))["data"]["viewer"] == {"sub": "idp-user"}
            for n in range(20):
                made_up = await gql(client, "{ viewer { sub } }", token=idp_token(kid=f"made-up-{n}"))
                assert codes(made_up) == ["UNAUTHENTICATED"], made_up
            assert len(fetches) == 1, fetches
    finally:
        server.shutdown()


async def test_rs256_tokens_of_an_identity_provider(idp_api: httpx.AsyncClient) -> None:
    me = await gql(idp_api, "{ viewer { sub roles } }", token=idp_token())
    assert me["data"]["viewer"] == {"sub": "idp-user", "roles": ["moderator"]}  # unknown roles ignored
    # the provider decides how long its tokens live (the 30-day cap is for tokens this service signs itself)
    long_lived = await gql(idp_api, "{ viewer { sub } }", token=idp_token(exp=int(time.time()) + 90 * 86400))
    assert long_lived["data"]["viewer"] == {"sub": "idp-user"}, long_lived
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused = {
        "other key": idp_token(key=other_key),
        "unknown kid": idp_token(kid="k2"),
        "wrong audience": idp_token(aud="someone-else"),
        "wrong issuer": idp_token(iss="https://evil.test/"),
        "expired": idp_token(exp=int(time.time()) - 60),
    }
    for name, bad in refused.items():
        assert codes(await gql(idp_api, "{ viewer { sub } }", token=bad)) == ["UNAUTHENTICATED"], name


def test_hs256_is_refused_in_production_when_only_an_identity_provider_is_configured(
        settings: Settings, jwks_url: str, tmp_path) -> None:
    deployed = Settings(env="production", jwt_jwks_url=jwks_url, state_dir=tmp_path,
                        jwt_secret=None, jwt_audience=None, jwt_issuer=None)
    local = Settings(state_dir=tmp_path, jwt_secret=None)
    with pytest.raises(InvalidToken):
        viewer_from_token(token(local, "mallory", "moderator"), deployed)
    assert viewer_from_token(idp_token(aud=None, iss=None), deployed).sub == "idp-user"


# -- the command line -----------------------------------------------------------------------------


def _bzgraph(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bzgraph.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60)


def test_token_command_agrees_with_verification(tmp_path) -> None:
    env = {"BZGRAPH_STATE_DIR": str(tmp_path), "BZGRAPH_JWT_SECRET": ""}
    done = _bzgraph("token", "--sub", "alice", "--role", "moderator", "--ttl", "120", **env)
    assert done.returncode == 0, done.stderr
    local = Settings(state_dir=tmp_path, jwt_secret=None)
    assert (tmp_path / "jwt-secret").exists()  # generated once, kept in the local state
    viewer = viewer_from_token(done.stdout.strip(), local)
    assert (viewer.sub, viewer.is_moderator) == ("alice", True)
    exp = jwt.decode(done.stdout.strip(), options={"verify_signature": False})["exp"]
    assert 100 <= exp - time.time() <= 121
    again = _bzgraph("token", "--sub", "bob", **env)
    assert viewer_from_token(again.stdout.strip(), local).roles == frozenset()  # same secret both times
    assert _bzgraph("token", "--sub", "x", "--ttl", "0", **env).returncode == 2
    not_a_number = _bzgraph("token", "--sub", "x", "--ttl", "abc", **env)
    assert not_a_number.returncode == 2 and "'abc' is not a whole number" in not_a_number.stderr
    month = _bzgraph("token", "--sub", "x", "--ttl", str(30 * 86_400), **env)  # the longest the server accepts
    assert month.returncode == 0 and viewer_from_token(month.stdout.strip(), local).sub == "x"
    too_long = _bzgraph("token", "--sub", "x", "--ttl", str(30 * 86_400 + 1), **env)
    assert too_long.returncode == 2 and "at most 2592000 (30 days)" in too_long.stderr
    for sub in ("", "x" * 201, "a\nb", " ", " alice"):  # subjects the server would refuse
        refused = _bzgraph("token", "--sub", sub, **env)
        assert refused.returncode == 2 and not refused.stdout, sub
    assert _bzgraph("token", "--sub", "x", "--role", "admin", **env).returncode == 2


def test_an_orcid_in_the_token_is_read_only_from_the_claim_the_setting_names(tmp_path) -> None:
    """A verified ORCID iD approves a claim at once, so the server takes one only from the claim
    BZGRAPH_JWT_ORCID_CLAIM names (the operator's say that their identity provider verifies it)."""
    env = {"BZGRAPH_STATE_DIR": str(tmp_path), "BZGRAPH_JWT_SECRET": ""}
    done = _bzgraph("token", "--sub", "alice", "--orcid", "https://orcid.org/0000-0002-1825-0097", **env)
    assert done.returncode == 0 and "BZGRAPH_JWT_ORCID_CLAIM=orcid" in done.stderr
    local = Settings(state_dir=tmp_path, jwt_secret=None)
    assert viewer_from_token(done.stdout.strip(), local).orcid is None
    named = local.model_copy(update={"jwt_orcid_claim": "orcid"})
    assert viewer_from_token(done.stdout.strip(), named).orcid == "0000-0002-1825-0097"
    as_subject = local.model_copy(update={"jwt_orcid_claim": "sub"})  # ORCID's own sign-in: the subject is the iD
    token = _bzgraph("token", "--sub", "0000-0002-1825-0097", **env).stdout.strip()
    assert viewer_from_token(token, as_subject).orcid == "0000-0002-1825-0097"
    assert viewer_from_token(_bzgraph("token", "--sub", "alice", **env).stdout.strip(), as_subject).orcid is None
    wrong = _bzgraph("token", "--sub", "x", "--orcid", "0000-0002-1825-0098", **env)  # a wrong check digit
    assert wrong.returncode == 2 and "not an ORCID iD" in wrong.stderr
    replaced = _bzgraph("token", "--sub", "alice", "--orcid", "0000-0002-1825-0097", **env, BZGRAPH_JWT_ORCID_CLAIM="sub")
    assert replaced.returncode == 2 and "give the iD as --sub" in replaced.stderr and not replaced.stdout  # not alice's


def test_production_serve_refuses_to_start_without_a_secret(tmp_path) -> None:
    done = _bzgraph("serve", "--port", "1", BZGRAPH_ENV="production", BZGRAPH_JWT_SECRET="",
                    BZGRAPH_JWT_JWKS_URL="", BZGRAPH_STATE_DIR=str(tmp_path))
    assert done.returncode == 2
    assert "BZGRAPH_JWT_SECRET" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "jwt-secret").exists()


async def test_an_unreachable_identity_provider_is_service_unavailable(seeded, settings: Settings) -> None:
    port = free_port()  # nobody listens there
    app = create_app(settings.model_copy(update={"jwt_jwks_url": f"http://127.0.0.1:{port}/jwks",
                                                 "jwt_audience": None, "jwt_issuer": None}))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://idp.test") as client:
            body = await gql(client, "{ viewer { sub } }", token=idp_token(aud=None, iss=None))
            assert codes(body) == ["SERVICE_UNAVAILABLE"] and "try again" in body["errors"][0]["message"]
            # HS256 tokens still work: only the provider's keys are out of reach
            local = await gql(client, "{ viewer { sub } }", token=token(settings, "local-user"))
            assert local["data"]["viewer"] == {"sub": "local-user"}


async def test_token_command_and_serve_agree_over_http(live_url: str, seeded) -> None:
    """`bzgraph token` and `bzgraph serve`, with the same settings, agree out of the box."""
    sub = new_id("cli")
    done = _bzgraph("token", "--sub", sub)
    assert done.returncode == 0, done.stderr
    async with httpx.AsyncClient(base_url=live_url, timeout=30) as client:
        for operation, following in (("FollowResearcher", True), ("UnfollowResearcher", False)):
            body = await gql(client, contract(operation), {"id": "bzr-leon-bungert"}, token=done.stdout.strip())
            assert "errors" not in body, body
            field = operation[0].lower() + operation[1:]
            assert body["data"][field]["researcher"]["viewerState"] == {"isFollowing": following}
        assert codes(await gql(client, contract("FollowResearcher"), {"id": "bzr-leon-bungert"})) == ["UNAUTHENTICATED"]
