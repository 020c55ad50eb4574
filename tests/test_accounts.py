"""Accounts and actions: the contract's mutations verbatim, with the security a public service needs."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from support import codes, contract, gql

from bzgraph.auth import InvalidToken, issue_token, viewer_from_token
from bzgraph.db import Database
from bzgraph.settings import Settings

PROFILE = """query($id: ID!) { researcher(id: $id) { claimed counts { followers }
  viewerState { isFollowing canClaim canInvite } trust { score verificationLevel
  components { key value } } } }"""


def token(settings: Settings, sub: str, *roles: str, ttl: int = 600) -> str:
    return issue_token(sub, list(roles), ttl, settings)


def new_id(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def researcher(db: Database, orcid: str | None = None) -> str:
    rid = new_id()
    await db.write("testing/researcher-with-works", id=rid, name=f"Researcher {rid}",
                   works=[{"id": f"{rid}-w1", "title": "A work", "year": 2021}])
    if orcid:
        await db.write("testing/add-signals", id=rid, followers=[], institution=None, claimant=None, orcid=orcid)
    await db.write("trust/recompute", ids=[rid])
    return rid


async def profile(api: httpx.AsyncClient, rid: str, tok: str | None = None) -> dict:
    body = await gql(api, PROFILE, {"id": rid}, token=tok)
    assert "errors" not in body, body
    return body["data"]["researcher"]


async def claim_and_approve(api, settings, rid, sub, orcid=None) -> str:
    body = await gql(api, contract("ClaimResearcher"),
                     {"id": rid, "evidence": {"orcid": orcid, "email": f"{sub}@example.org"}},
                     token=token(settings, sub))
    assert "errors" not in body, body
    cid = body["data"]["claimResearcher"]["claim"]["id"]
    body = await gql(api, contract("ReviewClaim"), {"claimId": cid, "approve": True},
                     token=token(settings, "mod", "moderator"))
    assert "errors" not in body, body
    return cid


# -- authentication ---------------------------------------------------------------------------

MUTATIONS = [
    ("FollowResearcher", {"id": "bzr-leon-bungert"}),
    ("UnfollowResearcher", {"id": "bzr-leon-bungert"}),
    ("ClaimResearcher", {"id": "bzr-leon-bungert", "evidence": {"email": "x@example.org"}}),
    ("ReviewClaim", {"claimId": "claim:none", "approve": True}),
    ("InviteToCollaborate", {"id": "bzr-leon-bungert", "message": "hello"}),
]


def bad_tokens(settings: Settings) -> dict[str, str]:
    now = int(time.time())
    secret = settings.jwt_secret_value()
    return {
        "forged": jwt.encode({"sub": "eve", "exp": now + 600}, "not-the-secret-" * 3, algorithm="HS256"),
        "expired": jwt.encode({"sub": "eve", "exp": now - 10}, secret, algorithm="HS256"),
        "alg none": jwt.encode({"sub": "eve", "exp": now + 600}, None, algorithm="none"),
        "no exp": jwt.encode({"sub": "eve"}, secret, algorithm="HS256"),
        "wrong algorithm": jwt.encode({"sub": "eve", "exp": now + 600}, secret, algorithm="HS512"),
        "malformed": "not.a.jwt",
    }


@pytest.mark.parametrize("operation,variables", MUTATIONS)
async def test_mutations_need_a_valid_token(api, settings, seeded, operation, variables) -> None:
    assert codes(await gql(api, contract(operation), variables)) == ["UNAUTHENTICATED"]
    for name, bad in bad_tokens(settings).items():
        body = await gql(api, contract(operation), variables, token=bad)
        assert codes(body) == ["UNAUTHENTICATED"], name
        assert body["data"] is None


async def test_reads_are_open_but_a_bad_token_is_refused(api, settings, seeded) -> None:
    assert (await profile(api, "bzr-leon-bungert"))["claimed"] is False
    body = await gql(api, PROFILE, {"id": "bzr-leon-bungert"}, token=bad_tokens(settings)["expired"])
    assert codes(body) == ["UNAUTHENTICATED"] and "expired" in body["errors"][0]["message"]
    response = await api.post("/graphql", json={"query": PROFILE, "variables": {"id": "x"}},
                              headers={"Authorization": "Basic abc"})
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHENTICATED"]


def test_rs256_tokens_verify_against_a_jwks_url(settings: Settings) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwks = json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(jwks)

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        configured = settings.model_copy(update={"jwt_jwks_url": f"http://127.0.0.1:{server.server_port}/jwks"})
        claims = {"sub": "idp-user", "roles": ["moderator", "admin"], "exp": int(time.time()) + 60}
        good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
        viewer = viewer_from_token(good, configured)
        assert viewer.sub == "idp-user" and viewer.roles == {"moderator"}
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        with pytest.raises(InvalidToken):
            viewer_from_token(jwt.encode(claims, other, algorithm="RS256", headers={"kid": "k1"}), configured)
    finally:
        server.shutdown()


# -- follow -----------------------------------------------------------------------------------


async def test_follow_is_idempotent(api, settings, seeded) -> None:
    rid = await researcher(seeded)
    alice = token(settings, new_id("alice"))
    for _ in range(2):
        body = await gql(api, contract("FollowResearcher"), {"id": rid}, token=alice)
        assert body["data"]["followResearcher"]["researcher"] == {
            "id": rid, "counts": {"followers": 1}, "viewerState": {"isFollowing": True}}
    for _ in range(2):
        body = await gql(api, contract("UnfollowResearcher"), {"id": rid}, token=alice)
        assert body["data"]["unfollowResearcher"]["researcher"]["counts"]["followers"] == 0
    assert codes(await gql(api, contract("FollowResearcher"), {"id": "no-such"}, token=alice)) == ["NOT_FOUND"]


@pytest.mark.slow
async def test_followers_are_exact_under_concurrency(api, settings, seeded) -> None:
    rid = await researcher(seeded)
    many = [token(settings, new_id("fan")) for _ in range(50)]
    one = token(settings, new_id("eager"))

    async def run(op: str, tok: str) -> None:
        body = await gql(api, contract(op), {"id": rid}, token=tok)
        assert "errors" not in body, body

    await asyncio.gather(*(run("FollowResearcher", t) for t in many))
    assert (await profile(api, rid))["counts"]["followers"] == 50
    await asyncio.gather(*(run("FollowResearcher", one) for _ in range(20)))
    after = await profile(api, rid)
    assert after["counts"]["followers"] == 51
    community = next(c for c in after["trust"]["components"] if c["key"] == "community")
    assert community["value"] == 51  # trust recomputed with every follow, consistently
    await asyncio.gather(*(run("UnfollowResearcher", t) for t in [*many, one]))
    final = await profile(api, rid)
    assert final["counts"]["followers"] == 0
    assert next(c for c in final["trust"]["components"] if c["key"] == "community")["value"] == 0


# -- claims -----------------------------------------------------------------------------------


async def test_claim_review_and_viewer_state(api, settings, seeded) -> None:
    rid = await researcher(seeded)
    sub = new_id("claimant")
    mine = token(settings, sub)
    assert (await profile(api, rid, mine))["viewerState"]["canClaim"] is True
    assert (await profile(api, rid))["viewerState"] == {"isFollowing": False, "canClaim": False, "canInvite": False}

    body = await gql(api, contract("ClaimResearcher"), {"id": rid, "evidence": {"email": f"{sub}@example.org"}}, token=mine)
    payload = body["data"]["claimResearcher"]
    assert payload["claim"]["status"] == "PENDING" and payload["researcher"]["claimed"] is False
    before = payload["researcher"]["trust"]["score"]
    assert (await profile(api, rid, mine))["viewerState"]["canClaim"] is False
    again = await gql(api, contract("ClaimResearcher"), {"id": rid, "evidence": {"email": f"{sub}@example.org"}}, token=mine)
    assert codes(again) == ["CONFLICT"]

    review = {"claimId": payload["claim"]["id"], "approve": True}
    assert codes(await gql(api, contract("ReviewClaim"), review, token=mine)) == ["FORBIDDEN"]
    body = await gql(api, contract("ReviewClaim"), review, token=token(settings, "mod", "moderator"))
    approved = body["data"]["reviewClaim"]
    assert approved["claim"]["status"] == "APPROVED" and approved["researcher"]["claimed"] is True
    assert approved["researcher"]["trust"]["verificationLevel"] == "L2"
    assert approved["researcher"]["trust"]["score"] > before
    assert codes(await gql(api, contract("ReviewClaim"), review, token=token(settings, "mod", "moderator"))) == ["CONFLICT"]

    other = token(settings, new_id("other"))
    state = (await profile(api, rid, other))["viewerState"]
    assert state == {"isFollowing": False, "canClaim": False, "canInvite": True}
    assert (await profile(api, rid, mine))["viewerState"]["canInvite"] is False
    late = await gql(api, contract("ClaimResearcher"), {"id": rid, "evidence": {"email": "o@example.org"}}, token=other)
    assert codes(late) == ["CONFLICT"]
    # the claimant holds a record now: no second approved claim for this account
    second = await researcher(seeded)
    assert (await profile(api, second, mine))["viewerState"]["canClaim"] is False
    assert codes(await gql(api, contract("ClaimResearcher"), {"id": second, "evidence": {"email": "a@example.org"}},
                           token=mine)) == ["CONFLICT"]


async def test_rejection_leaves_the_record_unclaimed(api, settings, seeded) -> None:
    rid = await researcher(seeded)
    body = await gql(api, contract("ClaimResearcher"), {"id": rid, "evidence": {"email": "r@example.org"}},
                     token=token(settings, new_id("r")))
    cid = body["data"]["claimResearcher"]["claim"]["id"]
    body = await gql(api, contract("ReviewClaim"), {"claimId": cid, "approve": False},
                     token=token(settings, "mod", "moderator"))
    assert body["data"]["reviewClaim"]["claim"]["status"] == "REJECTED"
    assert body["data"]["reviewClaim"]["researcher"]["claimed"] is False


async def test_matching_orcid_verifies_to_l3(api, settings, seeded) -> None:
    rid = await researcher(seeded, orcid="0000-0002-1825-0097")
    await claim_and_approve(api, settings, rid, new_id("orcid"), orcid="https://orcid.org/0000-0002-1825-0097")
    assert (await profile(api, rid))["trust"]["verificationLevel"] == "L3"


async def test_claim_evidence_is_validated(api, settings, seeded) -> None:
    tok = token(settings, new_id("v"))
    for evidence in ({}, {"note": "it's me"}, {"orcid": "1234"}, {"orcid": "0000-0002-1825-0098"},
                     {"email": "not-an-email"}, {"email": "a@example.org", "note": "x" * 2001}):
        body = await gql(api, contract("ClaimResearcher"), {"id": "bzr-leon-bungert", "evidence": evidence}, token=tok)
        assert codes(body) == ["BAD_USER_INPUT"], evidence


async def test_racing_approvals_let_exactly_one_win(api, settings, seeded) -> None:
    rid = await researcher(seeded)
    claims = []
    for _ in range(4):
        body = await gql(api, contract("ClaimResearcher"), {"id": rid, "evidence": {"email": "c@example.org"}},
                         token=token(settings, new_id("racer")))
        claims.append(body["data"]["claimResearcher"]["claim"]["id"])
    mod = token(settings, "mod", "moderator")
    results = await asyncio.gather(*(gql(api, contract("ReviewClaim"), {"claimId": c, "approve": True}, token=mod)
                                     for c in claims))
    outcomes = sorted("ok" if "errors" not in r else codes(r)[0] for r in results)
    assert outcomes == ["CONFLICT", "CONFLICT", "CONFLICT", "ok"]
    # one account, two records, approvals racing: it holds at most one
    sub = new_id("greedy")
    first, second = await researcher(seeded), await researcher(seeded)
    ids = []
    for rid2 in (first, second):
        body = await gql(api, contract("ClaimResearcher"), {"id": rid2, "evidence": {"email": "g@example.org"}},
                         token=token(settings, sub))
        ids.append(body["data"]["claimResearcher"]["claim"]["id"])
    results = await asyncio.gather(*(gql(api, contract("ReviewClaim"), {"claimId": c, "approve": True}, token=mod)
                                     for c in ids))
    assert sorted("ok" if "errors" not in r else codes(r)[0] for r in results) == ["CONFLICT", "ok"]


async def test_evidence_is_private_to_the_claimant_and_moderators(api, settings, seeded) -> None:
    rid = await researcher(seeded)
    sub = new_id("private")
    await gql(api, contract("ClaimResearcher"), {"id": rid, "evidence": {"email": f"{sub}@example.org"}},
              token=token(settings, sub))
    query = "{ viewer { claims { status evidence { email } researcher { id } } } }"
    mine = (await gql(api, query, token=token(settings, sub)))["data"]["viewer"]["claims"]
    assert mine == [{"status": "PENDING", "evidence": {"email": f"{sub}@example.org"}, "researcher": {"id": rid}}]
    assert (await gql(api, query, token=token(settings, new_id("nosy"))))["data"]["viewer"]["claims"] == []
    listing = "{ claims(status: PENDING, first: 100) { id evidence { email } } }"
    assert codes(await gql(api, listing, token=token(settings, new_id("nosy")))) == ["FORBIDDEN"]
    pending = (await gql(api, listing, token=token(settings, "mod", "moderator")))["data"]["claims"]
    assert {"email": f"{sub}@example.org"} in [c["evidence"] for c in pending]
    assert (await gql(api, "{ viewer { id } }"))["data"]["viewer"] is None


# -- invitations and profile edits --------------------------------------------------------------


async def test_invitations(api, settings, seeded) -> None:
    rid = await researcher(seeded)
    sender = token(settings, new_id("sender"))
    body = await gql(api, contract("InviteToCollaborate"), {"id": rid, "message": "Shall we?"}, token=sender)
    assert codes(body) == ["FORBIDDEN"] and "claimed first" in body["errors"][0]["message"]

    owner_sub = new_id("owner")
    await claim_and_approve(api, settings, rid, owner_sub)
    for message in ("", "   ", "x" * 2001):
        assert codes(await gql(api, contract("InviteToCollaborate"), {"id": rid, "message": message},
                               token=sender)) == ["BAD_USER_INPUT"]
    body = await gql(api, contract("InviteToCollaborate"), {"id": rid, "message": "x" * 2000}, token=sender)
    invitation = body["data"]["inviteToCollaborate"]["invitation"]
    assert invitation["status"] == "PENDING"

    owner = token(settings, owner_sub)
    inbox = (await gql(api, "{ viewer { invitations { id status message } } }", token=owner))["data"]["viewer"]
    assert [i["id"] for i in inbox["invitations"]] == [invitation["id"]]
    snoop = await gql(api, "{ viewer { invitations { id } } }", token=sender)
    assert snoop["data"]["viewer"]["invitations"] == []

    respond = "mutation($id: ID!, $accept: Boolean!) { respondToInvitation(id: $id, accept: $accept) { invitation { id status } } }"
    assert codes(await gql(api, respond, {"id": invitation["id"], "accept": True}, token=sender)) == ["NOT_FOUND"]
    assert codes(await gql(api, respond, {"id": "invitation:none", "accept": True}, token=owner)) == ["NOT_FOUND"]
    accepted = await gql(api, respond, {"id": invitation["id"], "accept": True}, token=owner)
    assert accepted["data"]["respondToInvitation"]["invitation"]["status"] == "ACCEPTED"
    assert codes(await gql(api, respond, {"id": invitation["id"], "accept": False}, token=owner)) == ["CONFLICT"]


async def test_invitations_are_rate_limited(api, settings, seeded) -> None:
    rid = await researcher(seeded)
    await claim_and_approve(api, settings, rid, new_id("popular"))
    sender = token(settings, new_id("spammer"))
    for i in range(20):
        body = await gql(api, contract("InviteToCollaborate"), {"id": rid, "message": f"#{i}"}, token=sender)
        assert "errors" not in body, body
    body = await gql(api, contract("InviteToCollaborate"), {"id": rid, "message": "one more"}, token=sender)
    assert codes(body) == ["RATE_LIMITED"]
    other = await gql(api, contract("InviteToCollaborate"), {"id": rid, "message": "hi"},
                      token=token(settings, new_id("polite")))
    assert "errors" not in other


async def test_only_the_claimant_edits_the_profile(api, settings, seeded) -> None:
    rid = await researcher(seeded)
    owner_sub = new_id("editor")
    edit = """mutation($id: ID!, $open: Boolean, $bio: String) { updateProfile(id: $id, openToCollaborate: $open, bio: $bio) {
      researcher { openToCollaborate bio trust { score } } } }"""
    assert codes(await gql(api, edit, {"id": rid, "open": True}, token=token(settings, owner_sub))) == ["FORBIDDEN"]
    await claim_and_approve(api, settings, rid, owner_sub)
    before = (await profile(api, rid))["trust"]["score"]
    body = await gql(api, edit, {"id": rid, "open": True, "bio": "Applied analysis."}, token=token(settings, owner_sub))
    r = body["data"]["updateProfile"]["researcher"]
    assert r["openToCollaborate"] is True and r["bio"] == "Applied analysis." and r["trust"]["score"] > before
    assert codes(await gql(api, edit, {"id": rid, "open": False}, token=token(settings, new_id("x")))) == ["FORBIDDEN"]
    assert codes(await gql(api, edit, {"id": rid, "open": False})) == ["UNAUTHENTICATED"]
