"""Where e-mail goes: Amazon SES (deployed), an SMTP host, or ``.eml`` files in a folder (local development).

Every mailer takes a composed ``EmailMessage`` and returns a reference (SES message id, file path, SMTP host) or
raises ``DeliveryFailed``. ``make_mailer`` picks one from ``Settings.email_sender``; the SES client is injected
(tests pass one made inside moto), and created only when none is given.
"""

from __future__ import annotations

import os
import smtplib
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from backend.outbound.errors import DeliveryFailed
from backend.outbound.mail import safe_name
from backend.settings import Settings

if TYPE_CHECKING:
    from boto3.session import Session


class Mailer(Protocol):
    # False when a message without a known address can still be delivered (written to a file).
    needs_recipient: bool

    def send(self, message: EmailMessage, *, message_id: str) -> str: ...


class FileMailer:
    """One ``<message id>.eml`` per message, written atomically: a reader never sees half a file, and writing the
    same message twice leaves one file."""

    needs_recipient = False

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage, *, message_id: str) -> str:
        target = self.folder / f"{safe_name(message_id)}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
            with os.fdopen(handle, "wb") as stream:
                stream.write(message.as_bytes())
            os.replace(temporary, target)
        except OSError as exc:
            raise DeliveryFailed(f"cannot write {target}: {exc.strerror}") from exc
        return str(target)


class SmtpMailer:
    needs_recipient = True

    def __init__(self, host: str, port: int = 25, *, timeout: float = 10.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout

    def send(self, message: EmailMessage, *, message_id: str) -> str:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"smtp {self.host}:{self.port}: {type(exc).__name__}") from exc
        return f"smtp://{self.host}:{self.port}"


class SesMailer:
    """Amazon SES v2 ``SendEmail`` with the raw MIME message, so SES sends exactly what the file sender writes. The
    recipients are the message's own To header (SES reads them from a raw message when no Destination is given)."""

    needs_recipient = True

    def __init__(self, client: Any, *, sender: str) -> None:
        self.client = client
        self.sender = sender

    def send(self, message: EmailMessage, *, message_id: str) -> str:
        try:
            response = self.client.send_email(
                FromEmailAddress=self.sender,
                Content={"Raw": {"Data": message.as_bytes()}},
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            raise DeliveryFailed(f"ses send_email: {code}") from exc
        except BotoCoreError as exc:
            raise DeliveryFailed(f"ses send_email: {type(exc).__name__}") from exc
        return str(response["MessageId"])


def parse_smtp_address(raw: str) -> tuple[str, int]:
    host, _, port = raw.strip().rpartition(":")
    if not host or not port.isdigit():
        return raw.strip(), 25
    return host.strip("[]"), int(port)


def make_mailer(settings: Settings, *, ses_client: Any = None, session: Session | None = None) -> Mailer | None:
    """The mailer the settings choose; None when e-mail stays in the outbox (``email_sender = "none"``)."""
    if settings.email_sender == "none":
        return None
    if settings.email_sender == "ses":
        if ses_client is None:
            session = session or boto3.session.Session()
            ses_client = session.client("sesv2", region_name=settings.aws_region or session.region_name)
        return SesMailer(ses_client, sender=settings.email_from)
    if settings.email_sender == "smtp":
        if not settings.smtp_address:
            raise DeliveryFailed("email_sender is smtp but no smtp_address is set")
        host, port = parse_smtp_address(settings.smtp_address)
        return SmtpMailer(host, port)
    return FileMailer(settings.email_folder)
