"""Every setting in one place. Precedence: an explicit value > an environment variable > the default.

``Settings.load(port=9000)`` wins over ``VOICECART_PORT``, which wins over the default. Nothing here touches AWS:
settings are plain values, read once and passed down.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from backend.errors import ValidationError
from backend.store.retention import Retention

PACKAGE_DATA_DIR = Path(__file__).resolve().parent / "data" / "instacart"
# The store choices: moto in this process, a DynamoDB-compatible endpoint (DynamoDB Local, LocalStack), AWS itself.
EMBEDDED, ENDPOINT, AWS = "embedded", "endpoint", "aws"
STORE_CHOICES = (EMBEDDED, ENDPOINT, AWS)
DEMO_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"not a boolean: {raw!r}")


def _parse_optional(raw: str) -> str | None:
    return raw.strip() or None


EMAIL_SENDERS = ("file", "smtp", "ses", "none")


def _parse_email_sender(raw: str) -> str:
    value = raw.strip().lower()
    if value not in EMAIL_SENDERS:
        raise ValueError(f"must be one of {', '.join(EMAIL_SENDERS)}")
    return value


def _parse_store(raw: str) -> str | None:
    """``embedded``, ``aws``, or an endpoint URL (then the store is that endpoint)."""
    value = raw.strip()
    if not value:
        return None
    if value.lower() in STORE_CHOICES:
        return value.lower()
    if value.startswith(("http://", "https://")):
        return value
    raise ValueError("expected embedded, aws or an endpoint URL (http://...)")


@dataclass(frozen=True)
class Settings:
    # Web endpoint
    host: str = "127.0.0.1"
    port: int = 8080
    # Alexa request verification (flask-ask-sdk: VERIFY_SIGNATURE / VERIFY_TIMESTAMP, both on by default)
    skill_id: str | None = DEMO_SKILL_ID
    verify_signature: bool = True
    verify_timestamp: bool = True
    # A directory written by `voicecart signer init`: lets a local development signer be trusted. Never in production.
    local_signer_dir: Path | None = None
    # DynamoDB. The store is chosen explicitly, never from the ambient AWS environment: ``store`` is "embedded"
    # (moto, in this process), "aws", or "endpoint" (``dynamodb_endpoint``); unset, it is "endpoint" when an
    # endpoint is given and "embedded" otherwise. A region alone (AWS_REGION, normal on developer machines and in
    # CI) never sends anything to AWS.
    store: str | None = None
    dynamodb_endpoint: str | None = None
    aws_region: str | None = None
    # Demo customers go into the embedded store only; this lets them into another store too (a flag asks for it).
    demo_data_anywhere: bool = False
    table_name: str = "voicecart"
    # Deployed functions run with item-level permissions only; their tables come from infra/, not from the code.
    create_tables: bool = True
    # Data
    data_dir: Path = PACKAGE_DATA_DIR
    load_demo_data: bool = True
    # Demo access tokens are an HMAC of the customer id with this secret. The default is public: anyone can compute
    # a demo token. Set your own before a demo server is reachable by anyone else.
    demo_token_secret: str = "voicecart-demo-token-secret"  # noqa: S105 - public on purpose, see above
    # Privacy and retention (backend/store/retention.py): raw heard words expire after this many days, events (and
    # their idempotency markers) after event_retention_days, sent messages after outbox_retention_days, request
    # markers after request_marker_ttl_seconds. Aggregates in the profile summary and orders stay.
    heard_words_retention_days: float = 30
    event_retention_days: float = 400
    outbox_retention_days: float = 30
    request_marker_ttl_seconds: int = 86_400
    # Commerce (illustrative demo values)
    seller_name: str = "Voicecart Demo Grocer"
    tax_rate: Decimal = Decimal("0.0725")
    delivery_fee: Decimal = Decimal("4.99")
    free_delivery_from: Decimal = Decimal("35.00")
    voice_code_threshold: Decimal = Decimal("100.00")
    # Outbound messages (backend/outbound): how e-mail leaves ("file": .eml files in email_folder, "smtp": to
    # smtp_address "host:port", "ses": Amazon SES, "none": kept in the outbox), who it is from, and when an idle cart
    # earns a reminder. Webhook URLs must be https unless loopback http is allowed (local development only).
    email_sender: str = "file"
    email_folder: Path = Path(".voicecart/mail")
    email_from: str = "orders@voicecart.invalid"
    smtp_address: str | None = None
    cart_reminder_after_minutes: int = 60
    webhook_allow_loopback: bool = False
    # An Amazon EventBridge bus that also receives every outbound event (none: webhooks only).
    eventbridge_bus: str | None = None
    # The developer console (/console): None means on with the embedded store only; never served by a Lambda.
    console: bool | None = None
    # Logging
    log_level: str = "INFO"
    log_json: bool = True

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from explicit overrides, then ``env`` (default ``os.environ``), then defaults."""
        environ = os.environ if env is None else env
        values: dict[str, Any] = {}
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        for name, (variables, parse) in _ENVIRONMENT.items():
            if name in overrides:
                continue
            for variable in variables:
                raw = environ.get(variable)
                if raw is None:
                    continue
                try:
                    values[name] = parse(raw)
                except (ValueError, ArithmeticError) as exc:
                    raise ValidationError(f"{variable}={raw!r}: {exc}", field=name) from exc
                break
        values.update(overrides)
        return cls(**values)

    def __post_init__(self) -> None:
        store = self.store
        if store is not None and store.startswith(("http://", "https://")):
            if self.dynamodb_endpoint not in (None, store):
                raise ValidationError(
                    f"store {store!r} and dynamodb_endpoint {self.dynamodb_endpoint!r} name two stores", field="store"
                )
            object.__setattr__(self, "dynamodb_endpoint", store)
            object.__setattr__(self, "store", store := ENDPOINT)
        if store is not None and store not in STORE_CHOICES:
            raise ValidationError(f"store {store!r}: expected one of {', '.join(STORE_CHOICES)}", field="store")
        if store == ENDPOINT and not self.dynamodb_endpoint:
            raise ValidationError("store 'endpoint' needs an endpoint URL (VOICECART_STORE=http://...)", field="store")
        if store in (EMBEDDED, AWS) and self.dynamodb_endpoint:
            raise ValidationError(
                f"store {store!r} contradicts the endpoint {self.dynamodb_endpoint!r} "
                "(VOICECART_DYNAMODB_ENDPOINT / AWS_ENDPOINT_URL_DYNAMODB): set one of them",
                field="store",
            )
        self.retention  # noqa: B018 - refuse a non-positive retention period when the settings are made

    @functools.cached_property
    def retention(self) -> Retention:
        """How long each expiring item kind is kept (validated: every period positive)."""
        try:
            return Retention(
                request_markers=timedelta(seconds=self.request_marker_ttl_seconds),
                heard_words=timedelta(days=self.heard_words_retention_days),
                events=timedelta(days=self.event_retention_days),
                outbox=timedelta(days=self.outbox_retention_days),
            )
        except ValueError as exc:
            raise ValidationError(str(exc), field="retention") from exc

    @property
    def store_kind(self) -> str:
        """``embedded``, ``endpoint`` or ``aws``: which DynamoDB the commands and the web app use."""
        if self.store is not None:
            return self.store
        return ENDPOINT if self.dynamodb_endpoint else EMBEDDED

    @property
    def uses_embedded_store(self) -> bool:
        """True unless a setting names an endpoint or says "aws": then the commands start moto in-process."""
        return self.store_kind == EMBEDDED

    def describe_store(self) -> str:
        """One line for banners and errors: which store, where, which table."""
        kind = self.store_kind
        if kind == EMBEDDED:
            return "embedded DynamoDB (moto, in this process, in memory)"
        if kind == ENDPOINT:
            return f"DynamoDB at {self.dynamodb_endpoint}, table {self.table_name!r}"
        return f"AWS DynamoDB in {self.aws_region or 'the default region'}, table {self.table_name!r}"


_ENVIRONMENT: dict[str, tuple[tuple[str, ...], Callable[[str], Any]]] = {
    "host": (("VOICECART_HOST",), str),
    "port": (("VOICECART_PORT", "PORT"), int),
    "skill_id": (("VOICECART_SKILL_ID", "ALEXA_SKILL_ID"), _parse_optional),
    "verify_signature": (("VOICECART_VERIFY_SIGNATURE",), _parse_bool),
    "verify_timestamp": (("VOICECART_VERIFY_TIMESTAMP",), _parse_bool),
    "local_signer_dir": (("VOICECART_LOCAL_SIGNER_DIR",), Path),
    "store": (("VOICECART_STORE",), _parse_store),
    "dynamodb_endpoint": (("VOICECART_DYNAMODB_ENDPOINT", "AWS_ENDPOINT_URL_DYNAMODB"), _parse_optional),
    "aws_region": (("VOICECART_AWS_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"), _parse_optional),
    "table_name": (("VOICECART_TABLE",), str),
    "create_tables": (("VOICECART_CREATE_TABLES",), _parse_bool),
    "data_dir": (("VOICECART_DATA_DIR",), Path),
    "load_demo_data": (("VOICECART_DEMO_DATA",), _parse_bool),
    "demo_data_anywhere": (("VOICECART_DEMO_DATA_ANYWHERE",), _parse_bool),
    "demo_token_secret": (("VOICECART_DEMO_TOKEN_SECRET",), str),
    "heard_words_retention_days": (("VOICECART_HEARD_WORDS_RETENTION_DAYS",), float),
    "event_retention_days": (("VOICECART_EVENT_RETENTION_DAYS",), float),
    "outbox_retention_days": (("VOICECART_OUTBOX_RETENTION_DAYS",), float),
    "request_marker_ttl_seconds": (("VOICECART_REQUEST_MARKER_TTL_SECONDS",), int),
    "seller_name": (("VOICECART_SELLER_NAME",), str),
    "tax_rate": (("VOICECART_TAX_RATE",), Decimal),
    "delivery_fee": (("VOICECART_DELIVERY_FEE",), Decimal),
    "free_delivery_from": (("VOICECART_FREE_DELIVERY_FROM",), Decimal),
    "voice_code_threshold": (("VOICECART_VOICE_CODE_THRESHOLD",), Decimal),
    "email_sender": (("VOICECART_EMAIL_SENDER",), _parse_email_sender),
    "email_folder": (("VOICECART_EMAIL_FOLDER",), Path),
    "email_from": (("VOICECART_EMAIL_FROM",), str),
    "smtp_address": (("VOICECART_SMTP_ADDRESS",), _parse_optional),
    "cart_reminder_after_minutes": (("VOICECART_CART_REMINDER_AFTER_MINUTES",), int),
    "webhook_allow_loopback": (("VOICECART_WEBHOOK_ALLOW_LOOPBACK",), _parse_bool),
    "eventbridge_bus": (("VOICECART_EVENTBRIDGE_BUS",), _parse_optional),
    "console": (("VOICECART_CONSOLE",), _parse_bool),
    "log_level": (("VOICECART_LOG_LEVEL",), str),
    "log_json": (("VOICECART_LOG_JSON",), _parse_bool),
}
