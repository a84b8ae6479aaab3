"""Shared fixtures for the field app tests: one real server and one Chromium per module."""

from __future__ import annotations

import os

import pytest

from .helpers import CHROMIUM, CHROMIUM_ARGS, DESKTOP, GEO, PHONE
from .server_process import run_server


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> str:
    """Base URL of a fresh server with the demo town loaded (or DOORSTEP_E2E_BASE_URL)."""
    external = os.environ.get("DOORSTEP_E2E_BASE_URL")
    if external:
        yield external.rstrip("/")
        return
    assert os.path.exists(CHROMIUM), f"the browser tests need Debian's chromium at {CHROMIUM}"
    with run_server(tmp_path_factory.mktemp("doorstep-e2e")) as base:
        yield base


@pytest.fixture(scope="module")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright_instance, server):
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def phone(browser):
    """A fresh phone-sized context (its own storage, so its own device) in zh-CN."""
    contexts = []

    def make(locale: str = "zh-CN", **kw):
        ctx = browser.new_context(
            viewport=PHONE, locale=locale, geolocation=GEO, permissions=["geolocation"],
            is_mobile=True, has_touch=True, **kw,
        )
        ctx.set_default_timeout(15000)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def desktop(browser):
    """A fresh office-desktop-sized context (the supervisor console uses the width)."""
    contexts = []

    def make(locale: str = "zh-CN", **kw):
        ctx = browser.new_context(viewport=DESKTOP, locale=locale, accept_downloads=True, **kw)
        ctx.set_default_timeout(15000)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()
