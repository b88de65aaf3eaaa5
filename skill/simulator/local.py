"""Wiring for the commands: the skill in this process (embedded store, demo data), conversations, the cart hook."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from backend.services import Backend
from backend.settings import Settings
from skill.models import model_path
from skill.simulator.cart_probe import cart_lines
from skill.simulator.conversation import Conversation, new_identity
from skill.simulator.envelope import Identity
from skill.simulator.model import LoadedModel, load_model_file
from skill.simulator.script import CartProbe
from skill.simulator.transport import InProcessTransport, Transport

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LocalSkill:
    settings: Settings
    backend: Backend
    transport: Transport

    def isolated(self, name: str) -> LocalSkill:
        """The same skill on a fresh table of the same store (catalog and resolver index reused), so one dialog
        file's carts and orders never leak into the next."""
        from backend.services import build_backend
        from skill.app import build_runtime

        settings = dataclasses.replace(self.settings, table_name=f"{self.settings.table_name}-{name}")
        backend = build_backend(
            settings,
            client=self.backend.table.client,
            clock=self.backend.clock,
            catalog=self.backend.catalog,
            resolver=self.backend.resolver,
            demo=settings.load_demo_data,
        )
        return LocalSkill(settings, backend, InProcessTransport(build_runtime(backend)))


def load_model(locale: str) -> LoadedModel:
    return load_model_file(model_path(locale))


def conversation_for(
    transport: Transport, *, skill_id: str, locale: str = "en-US", account: Mapping[str, str] | None = None
) -> Conversation:
    """A conversation for one customer on one device; ``account`` may give access_token, user_id, person_id,
    device_id (missing ids are random, Alexa-shaped)."""
    account = account or {}
    identity = new_identity(access_token=account.get("access_token"), person_id=account.get("person_id"))
    identity = Identity(
        user_id=account.get("user_id", identity.user_id),
        device_id=account.get("device_id", identity.device_id),
        access_token=identity.access_token,
        person_id=identity.person_id,
    )
    return Conversation(transport, load_model(locale), locale=locale, skill_id=skill_id, identity=identity)


def cart_probe(backend: Backend) -> CartProbe:
    """The ``cart:`` checks of scripted dialogs read the cart of the conversation's account in ``backend``."""

    def probe(identity: Identity) -> Sequence[Mapping[str, Any]]:
        return cart_lines(
            backend, access_token=identity.access_token, user_id=identity.user_id, person_id=identity.person_id
        )

    return probe


@contextmanager
def local_skill(settings: Settings | None = None) -> Iterator[LocalSkill]:
    """The real skill in this process, on the embedded store (moto, in memory) unless settings name a DynamoDB;
    demo customers are loaded as ``voicecart serve`` loads them."""
    from backend.services import build_backend
    from backend.store.embedded import store_for
    from skill.app import build_runtime

    with store_for(settings or Settings.load()) as reachable:
        # Each demo customer is provisioned on first use.
        backend = build_backend(reachable, demo=reachable.load_demo_data)
        yield LocalSkill(reachable, backend, InProcessTransport(build_runtime(backend)))


def apply_setup(path: Path, backend: Backend) -> None:
    """Apply a dialog file's top-level ``setup:`` (what a spoken dialog cannot do itself): ``voice_codes:
    {<customer id>: <4 digits>}`` sets an account's voice purchase code, as the account holder would elsewhere."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    setup = data.get("setup") if isinstance(data, dict) else None
    for customer_id, code in ((setup or {}).get("voice_codes") or {}).items():
        backend.shopping.set_voice_code(str(customer_id), str(code))
