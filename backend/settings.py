"""Every setting in one place. Precedence: an explicit value > an environment variable > the default.

``Settings.load(port=9000)`` wins over ``VOICECART_PORT``, which wins over the default. Nothing here touches AWS:
settings are plain values, read once and passed down.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

from backend.errors import ValidationError

PACKAGE_DATA_DIR = Path(__file__).resolve().parent / "data" / "instacart"
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
    # DynamoDB
    dynamodb_endpoint: str | None = None
    aws_region: str | None = None
    table_name: str = "voicecart"
    # Deployed functions run with item-level permissions only; their tables come from infra/, not from the code.
    create_tables: bool = True
    # Data
    data_dir: Path = PACKAGE_DATA_DIR
    load_demo_data: bool = True
    # Demo access tokens are an HMAC of the customer id with this secret. The default is public: anyone can compute
    # a demo token. Set your own before a demo server is reachable by anyone else.
    demo_token_secret: str = "voicecart-demo-token-secret"  # noqa: S105 - public on purpose, see above
    # Privacy: raw heard words expire after this many days; aggregates in the profile stay
    heard_words_retention_days: int = 30
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
    # Logging
    log_level: str = "INFO"
    log_json: bool = True
    extra: Mapping[str, str] = field(default_factory=dict)

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

    @property
    def uses_embedded_store(self) -> bool:
        """True when nothing points at a real DynamoDB: then `serve` starts moto in-process."""
        return self.dynamodb_endpoint is None and self.aws_region is None

    @property
    def heard_words_retention_seconds(self) -> int:
        return self.heard_words_retention_days * 86_400


_ENVIRONMENT: dict[str, tuple[tuple[str, ...], Callable[[str], Any]]] = {
    "host": (("VOICECART_HOST",), str),
    "port": (("VOICECART_PORT", "PORT"), int),
    "skill_id": (("VOICECART_SKILL_ID", "ALEXA_SKILL_ID"), _parse_optional),
    "verify_signature": (("VOICECART_VERIFY_SIGNATURE",), _parse_bool),
    "verify_timestamp": (("VOICECART_VERIFY_TIMESTAMP",), _parse_bool),
    "local_signer_dir": (("VOICECART_LOCAL_SIGNER_DIR",), Path),
    "dynamodb_endpoint": (("VOICECART_DYNAMODB_ENDPOINT", "AWS_ENDPOINT_URL_DYNAMODB"), _parse_optional),
    "aws_region": (("VOICECART_AWS_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"), _parse_optional),
    "table_name": (("VOICECART_TABLE",), str),
    "create_tables": (("VOICECART_CREATE_TABLES",), _parse_bool),
    "data_dir": (("VOICECART_DATA_DIR",), Path),
    "load_demo_data": (("VOICECART_DEMO_DATA",), _parse_bool),
    "demo_token_secret": (("VOICECART_DEMO_TOKEN_SECRET",), str),
    "heard_words_retention_days": (("VOICECART_HEARD_WORDS_RETENTION_DAYS",), int),
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
    "log_level": (("VOICECART_LOG_LEVEL",), str),
    "log_json": (("VOICECART_LOG_JSON",), _parse_bool),
}
