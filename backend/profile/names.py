"""Event names: what an event is called to systems that speak Segment's e-commerce spec v2 (RudderStack, PostHog,
Braze and Segment itself read the same names).

The stored event keeps our own ``channel``/``type``/``outcome``; ``name`` is derived from them (and, for a voice
turn that only answered, from its intent), so every channel and every reader gets the same name for the same act.
A name the spec has is used as the spec spells it; where the spec has none, the name is ours and says so below.

| outcome            | intent (voice turns that only answered) | name                    | in the spec             |
|--------------------|-----------------------------------------|-------------------------|-------------------------|
| ``added``          |                                         | Product Added           | e-commerce v2           |
| ``confirmed``      |                                         | Product Added           | e-commerce v2           |
| ``removed``        |                                         | Product Removed         | e-commerce v2           |
| ``quantity_changed``|                                        | Cart Updated            | ours                    |
| ``cleared``        |                                         | Cart Cleared            | ours                    |
| ``quoted``         |                                         | Checkout Started        | e-commerce v2           |
| ``ordered``        |                                         | Order Completed         | e-commerce v2           |
| ``purchased``      |                                         | Order Completed         | e-commerce v2           |
| ``cancelled``      |                                         | Order Cancelled         | e-commerce v2           |
| ``viewed``         |                                         | Product Viewed          | e-commerce v2           |
| ``clicked``        |                                         | Product Clicked         | e-commerce v2           |
| ``not_found``      |                                         | Products Searched       | e-commerce v2           |
| ``asked``          |                                         | Products Searched       | e-commerce v2           |
| ``declined``       |                                         | Suggestion Declined     | ours                    |
| ``opened``         |                                         | Application Opened      | mobile v2 (lifecycle)   |
| ``ended``          |                                         | Application Backgrounded| mobile v2 (lifecycle)   |
| ``failed``         |                                         | Request Failed          | ours                    |
| ``answered``       | ``ReadCartIntent``                      | Cart Viewed             | e-commerce v2           |
| ``answered``       | ``OrderStatusIntent``, ``LastOrderIntent`` | Order Viewed         | ours                    |
| ``answered``       | any other (history, help)               | Question Answered       | ours                    |
| none               |                                         | the event's ``type``    | (a channel's own type)  |

``asked`` is a search that ended on a question ("did you mean ...", "which one ..."): the spec's Products Searched,
with the words in ``heard`` while they are kept.
"""

from __future__ import annotations

from collections.abc import Mapping

BY_OUTCOME: Mapping[str, str] = {
    "added": "Product Added",
    "confirmed": "Product Added",
    "removed": "Product Removed",
    "quantity_changed": "Cart Updated",
    "cleared": "Cart Cleared",
    "quoted": "Checkout Started",
    "ordered": "Order Completed",
    "purchased": "Order Completed",
    "cancelled": "Order Cancelled",
    "viewed": "Product Viewed",
    "clicked": "Product Clicked",
    "not_found": "Products Searched",
    "asked": "Products Searched",
    "declined": "Suggestion Declined",
    "opened": "Application Opened",
    "ended": "Application Backgrounded",
    "failed": "Request Failed",
}
ANSWERED_BY_INTENT: Mapping[str, str] = {
    "ReadCartIntent": "Cart Viewed",
    "OrderStatusIntent": "Order Viewed",
    "LastOrderIntent": "Order Viewed",
}
ANSWERED = "Question Answered"


def spec_name(*, type: str, outcome: str | None, intent: str | None) -> str:
    if outcome is None:
        return type
    if outcome == "answered":
        return ANSWERED_BY_INTENT.get(intent or "", ANSWERED)
    return BY_OUTCOME.get(outcome, type)
