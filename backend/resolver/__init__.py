"""Spoken product resolution: candidate index, re-ranking, personal bias, calibrated decisions."""

from backend.resolver.model import Candidate, Decision, Reason, ReasonCode, Resolution
from backend.resolver.resolver import PurchaseStatsLike, Resolver

__all__ = ["Candidate", "Decision", "PurchaseStatsLike", "Reason", "ReasonCode", "Resolution", "Resolver"]
