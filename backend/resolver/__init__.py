"""Spoken product resolution: candidate index, re-ranking, personal bias, calibrated decisions."""

from backend.resolver.amounts import name_with_number
from backend.resolver.model import Candidate, Decision, Reason, ReasonCode, Resolution
from backend.resolver.resolver import PurchaseStatsLike, Resolver

__all__ = [
    "Candidate",
    "Decision",
    "PurchaseStatsLike",
    "Reason",
    "ReasonCode",
    "Resolution",
    "Resolver",
    "name_with_number",
]
