"""Structured logging: one JSON object a line (or plain text for people), with the fields passed in ``extra``.

Secrets stay out by construction: callers log ids and outcomes, and any field whose name says it holds a
credential is masked here as a second line of defence.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_SECRET_WORDS = ("token", "secret", "password", "authorization", "api_key", "apikey", "signature")


QUIET_LIBRARIES = ("botocore", "boto3", "urllib3")


def _masked(name: str, value: Any) -> Any:
    return "***" if any(word in name.lower() for word in _SECRET_WORDS) else value


class SecretFieldFilter(logging.Filter):
    """Masks the extra fields whose names say they hold a credential, for handlers with another formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in list(vars(record).items()):
            if name not in _STANDARD and not name.startswith("_"):
                setattr(record, name, _masked(name, value))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                entry[name] = _masked(name, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extras = {
            name: _masked(name, value)
            for name, value in vars(record).items()
            if name not in _STANDARD and not name.startswith("_")
        }
        return f"{text} {extras}" if extras else text


def configure_logging(level: str = "INFO", *, json_lines: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The embedded moto server logs every DynamoDB call through werkzeug; our own turns are logged already.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    for noisy in QUIET_LIBRARIES:
        logging.getLogger(noisy).setLevel(logging.WARNING)
