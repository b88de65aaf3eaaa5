"""Outbound e-mail as real MIME messages (``email.message.EmailMessage``): the same bytes go to SES, SMTP or a file.

Text only, UTF-8, with the headers a mail system expects: From, To, Subject, Date, Message-ID, and
``Auto-Submitted: auto-generated`` (RFC 3834: no auto-replies to it). A message without a known address is
addressed to the empty group ``undisclosed-recipients:;`` (RFC 5322), which only the file sender accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

NO_RECIPIENT = "undisclosed-recipients:;"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class OutboundEmail:
    message_id: str
    customer_id: str
    template: str
    subject: str
    body: str
    created_at: datetime
    order_id: str | None = None
    outbox_sk: str | None = None  # the outbox item this message came from, marked sent after delivery


def compose(message: OutboundEmail, *, sender: str, recipient: str | None) -> EmailMessage:
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = recipient or NO_RECIPIENT
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(message.created_at)
    mime["Message-ID"] = f"<{safe_name(message.message_id)}.{safe_name(message.customer_id)}@{domain_of(sender)}>"
    mime["Auto-Submitted"] = "auto-generated"
    mime["X-Voicecart-Template"] = message.template
    mime.set_content(message.body if message.body.endswith("\n") else message.body + "\n")
    return mime


def domain_of(address: str) -> str:
    domain = address.rpartition("@")[2].strip(" >")
    return domain or "voicecart.invalid"


def safe_name(value: str) -> str:
    """``value`` with only characters safe in a file name and a Message-ID."""
    return _UNSAFE.sub("_", value)[:128]
