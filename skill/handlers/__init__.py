"""Every request handler, registered in one place, in dispatch order: the ASK SDK uses the first that matches,
so specific handlers come first and the catch-all ``UnhandledIntentHandler`` comes last."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler

from backend.services import Backend
from skill.handlers.account import AccountNotLinkedHandler
from skill.handlers.builtins import (
    CanFulfillHandler,
    ExceptionEncounteredHandler,
    FallbackHandler,
    HelpHandler,
    NavigateHomeHandler,
    PlayerEventHandler,
    SessionEndedHandler,
    StopHandler,
    UnhandledIntentHandler,
)
from skill.handlers.cancel_order import CancelOrderHandler
from skill.handlers.cart import (
    AddToCartHandler,
    CancelAfterChangeHandler,
    ChangeQuantityHandler,
    ClearCartHandler,
    ProductOnlyHandler,
    PutBackHandler,
    ReadCartHandler,
    RemoveFromCartHandler,
    UndoHandler,
)
from skill.handlers.checkout import CheckoutHandler
from skill.handlers.dialog import (
    NoHandler,
    SelectChoiceHandler,
    UnclearAnswerHandler,
    VoiceCodeHandler,
    YesHandler,
)
from skill.handlers.errors import CatchAllExceptionHandler, DomainErrorHandler, StoreErrorHandler
from skill.handlers.history import LastOrderHandler, LastPurchaseHandler, PurchaseFrequencyHandler
from skill.handlers.launch import LaunchHandler
from skill.handlers.questions import (
    CartContainsHandler,
    CartTotalHandler,
    ProductPriceHandler,
    UsualProductsHandler,
)
from skill.handlers.reorder import ReorderLastOrderHandler, ReorderProductHandler, ReorderUsualHandler
from skill.handlers.several import AddProductsHandler
from skill.handlers.status import OrderStatusHandler
from skill.handlers.swap import SwapProductHandler

# Intents Alexa may route here without the skill's name (CanFulfillIntentRequest): shopping ones, not answers.
CAN_FULFILL = frozenset(
    {
        "AddToCartIntent",
        "AddProductsIntent",
        "ReadCartIntent",
        "CartTotalIntent",
        "CartContainsIntent",
        "ProductPriceIntent",
        "ReorderUsualIntent",
        "ReorderLastOrderIntent",
        "UsualProductsIntent",
        "OrderStatusIntent",
    }
)


def request_handlers(backend: Backend) -> list[AbstractRequestHandler]:
    return [
        LaunchHandler(backend),
        # shopping, one handler per intent
        AddToCartHandler(backend),
        ProductOnlyHandler(backend),
        PutBackHandler(backend),
        RemoveFromCartHandler(backend),
        UndoHandler(backend),
        AddProductsHandler(backend),
        ChangeQuantityHandler(backend),
        SwapProductHandler(backend),
        ReadCartHandler(backend),
        ClearCartHandler(backend),
        ReorderProductHandler(backend),
        ReorderUsualHandler(backend),
        ReorderLastOrderHandler(backend),
        LastOrderHandler(backend),
        LastPurchaseHandler(backend),
        PurchaseFrequencyHandler(backend),
        CartTotalHandler(backend),
        CartContainsHandler(backend),
        UsualProductsHandler(backend),
        ProductPriceHandler(backend),
        CheckoutHandler(backend),
        OrderStatusHandler(backend),
        CancelOrderHandler(backend),
        # answers to a question the skill asked
        YesHandler(backend),
        NoHandler(backend),
        SelectChoiceHandler(backend),
        VoiceCodeHandler(backend),
        UnclearAnswerHandler(backend),  # a fallback or help while a question is open: the question again
        # built-ins, fallback last
        HelpHandler(),
        CancelAfterChangeHandler(backend),
        StopHandler(),
        NavigateHomeHandler(),
        SessionEndedHandler(),
        ExceptionEncounteredHandler(),
        PlayerEventHandler(),
        CanFulfillHandler(CAN_FULFILL),
        FallbackHandler(),
        UnhandledIntentHandler(),
    ]


def exception_handlers(backend: Backend) -> list[AbstractExceptionHandler]:
    return [AccountNotLinkedHandler(), StoreErrorHandler(), DomainErrorHandler(), CatchAllExceptionHandler()]
