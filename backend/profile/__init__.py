"""The shared customer profile: events from every channel, the summary they keep current, export and delete.

Modules: ``events`` (the event model every channel writes, validation), ``records`` (events <-> items),
``summary`` (the PROFILE item: its update expression and its reading, ``purchase_stats`` for the resolver),
``store`` (``stage_event``/``record_event``, summary and event pages), ``pages`` (opaque cursors),
``privacy`` (export everything, delete everything with a receipt).

Access patterns and the key that serves each (single table, see ``backend.store.schema``):

* profile summary of a customer: GetItem ``pk=CUST#<id>, sk=PROFILE`` (1 read).
* events of a customer by time, all channels: Query ``pk=CUST#<id>, sk BETWEEN EVENT#<since> AND EVENT#<until>``
  (1 query per page; newest or oldest first).
* events of a customer by channel and time: Query gsi1 ``gsi1pk=CUST#<id>#CH#<channel>,
  gsi1sk BETWEEN <since> AND <until>`` (1 query per page).
* an event written once: Put ``pk=CUST#<id>, sk=EVENTID#<event id>`` on ``attribute_not_exists(pk)`` (in the tx).
* an event's raw heard words (expire by TTL): ``sk=EVENT#<ts>#<event id>#HEARD`` (gsi1sk ``<ts>#<event id>#HEARD``):
  it sorts right after its event, so the same query returns both, adjacent.
* customer by any linked id (token hash, Alexa user/person, web, email, store): GetItem
  ``pk=IDENT#<kind>#<value>, sk=IDENT`` (1 read).
* a customer's linked ids: Query ``pk=CUST#<id>, sk begins_with IDENT#`` (reverse items, naming the lookup items).
* API client by key: GetItem ``pk=APIKEY#<sha256(key)>, sk=APIKEY`` (1 read per API call).
* API clients scoped to a customer: Query ``pk=CUST#<id>, sk begins_with GRANT#`` (used by deletion).
* everything about a customer (export, delete): Query ``pk=CUST#<id>`` (every kind) + the lookup items its reverse
  items name + its id in scoped API clients.

Items an event writes (``stage_event``): the ``EVENTID#`` marker (conditional), the event item
``EVENT#<ts>#<event id>`` (with gsi1 keys), the heard-words item if any words were heard (``expires_at`` =
occurred_at + ``Settings.heard_words_retention_days``), and ONE ``UpdateItem`` of ``PROFILE`` (ADD counters, SET
latest) — no reads, no read-modify-write. A repeated event id cancels the transaction with ``AlreadyApplied``;
``record_event`` reports it as "already written" and nothing changed.

Cost of a voice turn (read and write units counted by the conversation's benchmark):

* reads: ONE ``BatchGetItem`` of CART + PROFILE + VOICECODE (``backend.shopping.state.load_state``; strongly
  consistent, 3 small items). The profile item is interpreted with ``summary_from_item`` and
  ``purchase_stats(summary, today)`` feeds the resolver's bias with purchases from every channel.
* writes: ONE ``TransactWriteItems``: the request marker + the cart item (when the cart changes) + this module's
  3-4 items (marker, event, heard words, profile update). A turn that changes nothing in the cart still records its
  event: the same one transaction, 3-4 items.

DynamoDB rules this design respects: one transaction touches an item once (the turn's transaction must not write
PROFILE itself); one update expression never writes overlapping paths (every summary attribute is top-level, see
``summary``); nested ``SET`` on a missing map is refused by DynamoDB (and by moto), so no maps are used.
"""

from backend.profile.consent import Consent, Consents, ConsentStore, Purpose, consents_from_item
from backend.profile.events import Channel, Event, EventLine, EventOrigin, Outcome, event_from_json, new_event
from backend.profile.privacy import CustomerData, DeletionReceipt
from backend.profile.store import EventPage, EventWrite, ProfileStore, StagedEvent, stage_event
from backend.profile.summary import (
    ProductAffinity,
    ProfileSummary,
    combine_stats,
    purchase_stats,
    summary_from_item,
)

__all__ = [
    "Channel",
    "Consent",
    "ConsentStore",
    "Consents",
    "CustomerData",
    "DeletionReceipt",
    "Event",
    "EventLine",
    "EventOrigin",
    "EventPage",
    "EventWrite",
    "Outcome",
    "ProductAffinity",
    "ProfileStore",
    "ProfileSummary",
    "Purpose",
    "StagedEvent",
    "combine_stats",
    "consents_from_item",
    "event_from_json",
    "new_event",
    "purchase_stats",
    "stage_event",
    "summary_from_item",
]
