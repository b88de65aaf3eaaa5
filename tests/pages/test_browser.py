"""The pages in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium, never a downloaded one)
against the app served on loopback, on the embedded store (moto) in this process, the demo customers loaded.

The associate signs in with a store key, finds a customer, sees the voice add the simulator made a moment before,
adds a product, and the next voice launch offers it; the developer says "add two bananas" in the console and sees
the resolver's candidates. Each page's screenshot goes to build/screenshots/ for a reviewer.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from backend.services import Backend
from backend.settings import Settings
from skill.app import build_runtime, create_app
from skill.simulator.local import conversation_for
from skill.simulator.transport import InProcessTransport

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
CUSTOMER = "3623"  # a demo customer with 20 real orders (almond milk, Swiss slices, string cheese, coffee)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium here (.ci/run installs Debian's chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (the dev extra) is not installed")


@pytest.fixture
def served(settings: Settings, demo_backend: Backend) -> Iterator[str]:
    app: Flask = create_app(settings, backend=demo_backend)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="pages-browser-test", daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def page(served: str) -> Iterator[sync_api.Page]:
    profile = tempfile.mkdtemp(prefix="voicecart-chromium-")
    with sync_api.sync_playwright() as playwright:
        # A fresh profile of our own (Playwright takes it as the persistent context's user-data-dir).
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=FLAGS, headless=True,
            viewport={"width": 1024, "height": 1366}, base_url=served,  # a tablet, upright
        )  # fmt: skip
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def shot(page: sync_api.Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_the_associate_sees_a_voice_add_and_the_next_launch_offers_their_add(
    page: sync_api.Page, demo_backend: Backend, settings: Settings
) -> None:
    expect = sync_api.expect
    key = demo_backend.clients.create(name="Main St counter", channel="store", customers=[CUSTOMER]).key
    token = demo_backend.demo.demo_token(CUSTOMER)  # type: ignore[union-attr]
    transport = InProcessTransport(build_runtime(demo_backend))
    voice = conversation_for(transport, skill_id=settings.skill_id or "", account={"access_token": token})
    added = voice.say("ask my grocer to add organic unsweetened almond milk")
    assert added.heard == "AddToCartIntent", added.speech

    page.goto("/associate/")
    expect(page).to_have_url(re.compile(r"/associate/sign-in"))
    shot(page, "associate-sign-in")
    page.get_by_label("Store API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Customer id, store card, web account or e-mail").fill(CUSTOMER)
    shot(page, "associate-search")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name=f"Customer {CUSTOMER}")).to_be_visible()
    timeline = page.locator(".timeline")
    expect(timeline.locator("li").first).to_contain_text("voice")
    expect(timeline).to_contain_text("Almond")
    shot(page, "associate-customer")

    page.get_by_label("What the customer asks for").fill("string cheese")
    page.get_by_role("button", name="Search").click()
    candidates = page.locator(".candidates li")
    expect(candidates.first).to_be_visible()
    chosen = candidates.first.locator(".grow").inner_text().split("  ")[0].strip()
    shot(page, "associate-product-search")
    candidates.first.get_by_role("button", name="Add").click()
    expect(page.get_by_role("status")).to_contain_text("Added 1 x")
    expect(page.locator("#cart-h + table")).to_contain_text("store")
    shot(page, "associate-after-add")

    cart = demo_backend.shopping.cart(CUSTOMER)
    assert [line.channel for line in cart.lines].count("store") == 1
    later = conversation_for(transport, skill_id=settings.skill_id or "", account={"access_token": token})
    launch = later.say("open my grocer")
    assert "in the store" in launch.speech or "store" in launch.speech, launch.speech
    assert chosen.split()[0].lower() in launch.speech.lower(), (chosen, launch.speech)

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"/associate/customers/{CUSTOMER}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_the_console_shows_the_resolvers_candidates(page: sync_api.Page) -> None:
    expect = sync_api.expect
    page.goto("/console/")
    page.get_by_label("Demo customer (linked account)").select_option(CUSTOMER)
    page.get_by_role("button", name="Start").click()
    page.get_by_label("What you would say to Alexa").fill("ask my grocer to add two bananas")
    page.get_by_role("button", name="Say").click()
    latest = page.locator("#latest")
    expect(latest).to_contain_text("AddToCartIntent")
    expect(latest.locator("table.resolution caption")).to_contain_text("bananas")
    expect(latest.locator("table.resolution tbody tr").first).to_be_visible()
    shot(page, "console-turn")
    page.get_by_label("Dialog file (YAML, as in tests/dialogs)").fill(
        (Path(__file__).parent.parent / "dialogs" / "launch_help_stop.yaml").read_text()
    )
    page.get_by_role("button", name="Replay").click()
    expect(page.locator(".pass").first).to_be_visible()
    shot(page, "console-replay")
