"""Domain errors: one root, so the skill and the API can map every failure to speech or a status code.

    VoicecartError
     ├── CatalogError
     │    ├── ProductNotFound          an id that is not in the catalog
     │    └── CatalogLoadError         a catalog file that cannot be read at all
     ├── ValidationError               input that breaks a rule (bad quantity, oversized field, bad channel ...)
     ├── IdentityError
     │    ├── AccountNotLinked         no access token: the customer must link an account
     │    ├── UnknownAccessToken       a token that maps to no customer
     │    ├── CustomerNotFound         an id (or linked id) that belongs to no customer
     │    │    └── CustomerErased       the customer was erased (a write in flight during the erase is refused)
     │    ├── IdentityConflict         the id is already linked to another customer
     │    └── InvalidApiKey            a missing, malformed, unknown or revoked API key
     ├── StoreError                    the store failed; the caller apologises, nothing half-written remains
     │    ├── StoreUnavailable         network, throttling, service errors (the write is known not to have applied)
     │    │    └── OutcomeUnknown       a write that may or may not have applied, and no way to tell which
     │    ├── ConcurrentUpdate         a versioned write lost a race (retry with fresh state)
     │    └── AlreadyApplied           the same request/event id was already written (a retry: not an error to users)
     ├── CartError
     │    ├── EmptyCart
     │    └── NotInCart
     └── CheckoutError
          ├── PurchasingLocked         too many wrong voice codes
          ├── VoiceCodeRequired
          ├── WrongVoiceCode
          └── CartChangedSinceQuote    the cart changed between the spoken total and the "yes"

Store errors are raised ``from`` the botocore exception so the cause stays in the logs.
"""

from __future__ import annotations


class VoicecartError(Exception):
    """Root of every error voicecart raises on purpose."""


class CatalogError(VoicecartError):
    pass


class ProductNotFound(CatalogError):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"no product with id {product_id!r}")
        self.product_id = product_id


class CatalogLoadError(CatalogError):
    pass


class ValidationError(VoicecartError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class IdentityError(VoicecartError):
    pass


class AccountNotLinked(IdentityError):
    pass


class UnknownAccessToken(IdentityError):
    pass


class CustomerNotFound(IdentityError):
    pass


class CustomerErased(CustomerNotFound):
    """The customer has a tombstone: a write that was under way when the erase began is refused whole, and the
    caller answers as for an account that is not linked (the API: no such customer)."""


class IdentityConflict(IdentityError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"this {kind} id is already linked to another customer")
        self.kind = kind


class InvalidApiKey(IdentityError):
    pass


class StoreError(VoicecartError):
    pass


class StoreUnavailable(StoreError):
    pass


class OutcomeUnknown(StoreUnavailable):
    """Never say "nothing was changed" for this one: the write may have been applied."""


class ConcurrentUpdate(StoreError):
    pass


class AlreadyApplied(StoreError):
    pass


class CartError(VoicecartError):
    pass


class EmptyCart(CartError):
    pass


class NotInCart(CartError):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"product {product_id!r} is not in the cart")
        self.product_id = product_id


class OtherUnitInCart(CartError):
    def __init__(self, product_id: str, *, held: str | None, said: str | None) -> None:
        super().__init__(f"product {product_id!r} is in the cart by {held or 'the piece'}, not {said or 'the piece'}")
        self.product_id = product_id
        self.held = held
        self.said = said


class CheckoutError(VoicecartError):
    pass


class PurchasingLocked(CheckoutError):
    pass


class VoiceCodeRequired(CheckoutError):
    pass


class WrongVoiceCode(CheckoutError):
    def __init__(self, attempts_left: int) -> None:
        super().__init__(f"wrong voice code, {attempts_left} attempts left")
        self.attempts_left = attempts_left


class CartChangedSinceQuote(CheckoutError):
    """The cart changed (another device, the web shop) after its total was read out: quote again, ask again."""
