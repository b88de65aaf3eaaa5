"""Spoken product resolution: candidate index, re-ranking, personal bias, calibrated decisions."""

from backend.resolver.amounts import MIXED, UNITS, name_with_number, parse_amount
from backend.resolver.dynamic import MAX_VALUES as MAX_DYNAMIC_VALUES
from backend.resolver.dynamic import DynamicValue
from backend.resolver.dynamic import fingerprint as dynamic_fingerprint
from backend.resolver.model import Candidate, Decision, Reason, ReasonCode, Resolution
from backend.resolver.resolver import PurchaseStatsLike, Resolver
from backend.resolver.twins import Option, spoken_options
from backend.spoken import query_form, singular, spoken_form

__all__ = [
    "MAX_DYNAMIC_VALUES",
    "MIXED",
    "UNITS",
    "Candidate",
    "Decision",
    "DynamicValue",
    "Option",
    "PurchaseStatsLike",
    "Reason",
    "ReasonCode",
    "Resolution",
    "Resolver",
    "dynamic_fingerprint",
    "name_with_number",
    "parse_amount",
    "query_form",
    "singular",
    "spoken_form",
    "spoken_options",
]
