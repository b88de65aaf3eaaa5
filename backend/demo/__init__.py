"""The demo: real Instacart customers provisioned as if they had just linked their account. Development and demo
code only; the domain never imports it (``build_backend(..., demo=True)`` composes it in).

- ``histories``: the customers' order histories, read from the Instacart CSV layout;
- ``history_import``: bulk-writes those past orders, as a retailer's order system would on account linking;
- ``directory``: the demo customers, their tokens, and provisioning them once, on first use or in the background.
"""

from backend.demo.directory import DAYS_SINCE_LAST_ORDER, DemoCustomer, DemoDirectory, ProvisioningTokenStore
from backend.demo.histories import CustomerHistory, PastOrder, load_histories
from backend.demo.history_import import import_histories, import_history

__all__ = [
    "DAYS_SINCE_LAST_ORDER",
    "CustomerHistory",
    "DemoCustomer",
    "DemoDirectory",
    "PastOrder",
    "ProvisioningTokenStore",
    "import_histories",
    "import_history",
    "load_histories",
]
