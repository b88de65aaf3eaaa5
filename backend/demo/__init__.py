"""The demo: real Instacart customers provisioned as if they had just linked their account. Development and demo
code only; the domain never imports it (``build_backend(..., demo=True)`` composes it in)."""

from backend.demo.directory import DAYS_SINCE_LAST_ORDER, DemoCustomer, DemoDirectory, ProvisioningTokenStore

__all__ = ["DAYS_SINCE_LAST_ORDER", "DemoCustomer", "DemoDirectory", "ProvisioningTokenStore"]
