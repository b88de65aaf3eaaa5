"""The customer's likely products as Alexa dynamic entities of the PRODUCT slot type, kept current for the session.

Alexa biases its recognition and entity resolution toward the values a skill sends with
``Dialog.UpdateDynamicEntities``; a product said from them comes back under the dynamic authority, which the
resolver takes first (``Turn.resolve``). So after the launch - the first response of a session that keeps the
microphone open - and whenever the customer's likely products change (an order, a reorder, a purchase elsewhere),
the response carries them, REPLACE, ids = catalog ids (``Shopping.likely_products``).

Alexa's rules kept here:
- REPLACE replaces every dynamic type of the session, not only the ones it names: a response that already sends
  options for a "which one?" (type CHOICE) sends the products in the same directive, and the CLEAR that forgets
  those options becomes a REPLACE with the products alone, or they would be lost for the rest of the session.
- At most ``MAX_DYNAMIC_VALUES`` values in one directive, all types together: the options keep their place, the
  products take the rest.
- Never beside another ``Dialog.*`` directive (Delegate, ElicitSlot, ConfirmIntent...): such a response goes
  without, and the next one sends them.

The session remembers a fingerprint of what Alexa holds, so an unchanged list is not sent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ask_sdk_core.dispatch_components import AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.dialog import DynamicEntitiesDirective
from ask_sdk_model.er.dynamic import Entity, EntityListItem, EntityValueAndSynonyms, UpdateBehavior

from backend.resolver import MAX_DYNAMIC_VALUES, DynamicValue, dynamic_fingerprint
from skill.handlers.turn_context import TURN_ATTRIBUTE, Turn

PRODUCT_TYPE = "PRODUCT"
SESSION_KEY = "entities"  # session: fingerprint of the PRODUCT values Alexa holds for this session
_UPDATE = "Dialog.UpdateDynamicEntities"


def product_types(values: Sequence[DynamicValue]) -> EntityListItem:
    """The PRODUCT slot type's values in the SDK's own types (so the response serialises as Alexa expects)."""
    return EntityListItem(
        name=PRODUCT_TYPE,
        values=[
            Entity(id=value.id, name=EntityValueAndSynonyms(value=value.name, synonyms=list(value.synonyms)))
            for value in values
        ],
    )


def _replace(values: Sequence[DynamicValue]) -> DynamicEntitiesDirective:
    return DynamicEntitiesDirective(update_behavior=UpdateBehavior.REPLACE, types=[product_types(values)])


def _type_of(directive: Any) -> str:
    return str(getattr(directive, "object_type", "") or "")


class KeepProductEntities(AbstractResponseInterceptor):
    """Adds the customer's likely products to a response when Alexa does not hold them yet (see the module)."""

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        if response is None or response.should_end_session:
            return
        turn = handler_input.attributes_manager.request_attributes.get(TURN_ATTRIBUTE)
        if not isinstance(turn, Turn):  # no shopping turn (not linked, help, stop): nothing known to send
            return
        # The purchases as this turn read them: an order placed in this turn shows in the next one's read.
        state = turn.last_read
        if state is None:
            return
        directives = list(response.directives or [])
        if any(_type_of(d).startswith("Dialog.") and _type_of(d) != _UPDATE for d in directives):
            return
        session = turn.session
        held = session.get(SESSION_KEY)
        update = next((d for d in directives if isinstance(d, DynamicEntitiesDirective)), None)
        if update is None:
            values = turn.shopping.likely_products(state)
            if not values:
                if held is not None:  # nothing to bias toward any more (consent withdrawn): Alexa forgets them
                    session.pop(SESSION_KEY, None)
                    response.directives = [*directives, DynamicEntitiesDirective(update_behavior=UpdateBehavior.CLEAR)]
                return
            if dynamic_fingerprint(values) == held:
                return
            directives.append(_replace(values))
        elif update.update_behavior == UpdateBehavior.REPLACE:
            others = [t for t in update.types or [] if t.name != PRODUCT_TYPE]
            room = MAX_DYNAMIC_VALUES - sum(len(t.values or []) for t in others)
            values = turn.shopping.likely_products(state)[: max(room, 0)]
            if not values:
                session.pop(SESSION_KEY, None)
                return
            update.types = [*others, product_types(values)]
        else:  # CLEAR: forget the other types, keep the products
            values = turn.shopping.likely_products(state)
            if not values:
                session.pop(SESSION_KEY, None)
                return
            directives = [_replace(values) if d is update else d for d in directives]
        session[SESSION_KEY] = dynamic_fingerprint(values)
        response.directives = directives
