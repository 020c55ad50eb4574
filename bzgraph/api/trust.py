"""The trust snapshot: score, tier, verification level and the components behind them.

The snapshot is computed from graph signals by ``cypher/trust/recompute.cypher`` on every write
that changes a signal and stored on the researcher; see ``docs/trust.md``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry


@strawberry.enum(description="NEW 0–19, EMERGING 20–39, ESTABLISHED 40–59, TRUSTED 60–79, EXEMPLARY 80–100.")
class TrustTier(Enum):
    NEW = strawberry.enum_value("NEW", description="score 0–19")
    EMERGING = strawberry.enum_value("EMERGING", description="score 20–39")
    ESTABLISHED = strawberry.enum_value("ESTABLISHED", description="score 40–59")
    TRUSTED = strawberry.enum_value("TRUSTED", description="score 60–79")
    EXEMPLARY = strawberry.enum_value("EXEMPLARY", description="score 80–100")


@strawberry.enum(description=(
    "L0 no external identifier; L1 an external scholarly identifier on record (ORCID, OpenAlex, "
    "arXiv, DOI); L2 claimed by an account and approved by a moderator; L3 approved with an ORCID "
    "that matches the record's."))
class VerificationLevel(Enum):
    L0 = strawberry.enum_value("L0", description="no external identifier")
    L1 = strawberry.enum_value("L1", description="an ORCID or OpenAlex id on the record, or an authored work with "
                                                 "an arXiv id or DOI")
    L2 = strawberry.enum_value("L2", description="claimed by an account, the claim approved by a moderator")
    L3 = strawberry.enum_value("L3", description="approved, with claim evidence whose ORCID equals the record's")


@strawberry.type(description="One signal that contributes to the trust score.")
class TrustComponent:
    key: str = strawberry.field(description="stable identifier, e.g. `publications`")
    label: str = strawberry.field(description="human-readable name")
    value: float = strawberry.field(description="the measured signal (a count, a level or a fraction)")
    points: int = strawberry.field(description="points earned, 0..maxPoints")
    max_points: int = strawberry.field(description="the most points the component can earn; they add up to 100 "
                                                   "over the components")


@strawberry.type(description="Why a researcher has the trust score they have.")
class Trust:
    score: int = strawberry.field(description="0–100; the sum of the components' points")
    tier: TrustTier = strawberry.field(description="the band the score falls in")
    verification_level: VerificationLevel = strawberry.field(
        description="how firmly the record is tied to an external identifier or its person")
    components: list[TrustComponent] = strawberry.field(
        description="the components behind the score, in display order (empty before the first recompute)")

    @classmethod
    def from_researcher(cls, r: dict[str, Any]) -> Trust:
        """From the ``trust*`` properties stored on a researcher node (none yet: an empty snapshot)."""
        columns = [r.get(name) or [] for name in
                   ("trustKeys", "trustLabels", "trustValues", "trustPoints", "trustMaxPoints")]
        components = [
            TrustComponent(key=k, label=label, value=value, points=points, max_points=max_points)
            for k, label, value, points, max_points in zip(*columns)
        ]
        return cls(
            score=r.get("trustScore") or 0,
            tier=TrustTier(r.get("trustTier") or "NEW"),
            verification_level=VerificationLevel(r.get("verificationLevel") or "L0"),
            components=components,
        )
