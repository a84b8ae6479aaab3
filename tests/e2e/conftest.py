"""Shared fixtures for the field app tests: one real server and one Chromium per module."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .helpers import CHROMIUM, CHROMIUM_ARGS, GEO, PASSWORD, PHONE

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _doorstep_command() -> list[str]:
    exe = Path(sys.executable).with_name("doorstep")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("doorstep")
    if found:
        return [found]
    return [sys.executable, "-m", "server.cli"]


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base}/api/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {timeout}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> str:
    """Base URL of a fresh server with the demo town loaded (or DOORSTEP_E2E_BASE_URL)."""
    external = os.environ.get("DOORSTEP_E2E_BASE_URL")
    if external:
        yield external.rstrip("/")
        return
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    if importlib.util.find_spec("server.cli") is None:
        pytest.skip("the doorstep CLI (server/cli.py) is not there yet")
    data = tmp_path_factory.mktemp("doorstep-e2e")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    env["DOORSTEP_DATA_DIR"] = str(data)
    cmd = _doorstep_command()
    demo = subprocess.run(
        [*cmd, "demo", "--data-dir", str(data), "--password", PASSWORD],
        env=env, capture_output=True, text=True, timeout=180,
    )
    if demo.returncode != 0 and "No module named 'server." in demo.stderr:
        pytest.skip("the server is still being built: " + demo.stderr.strip().splitlines()[-1])
    assert demo.returncode == 0, demo.stdout + demo.stderr
    port = _free_port()
    log = data / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*cmd, "serve", "--data-dir", str(data), "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc, log)
        # While the sync routes are still being built the app cannot work;
        # a missing route is 404, a present one without a token is 401.
        if httpx.get(f"{base}/api/sync/pull", timeout=5).status_code == 404:
            pytest.skip("the server has no /api/sync/pull yet")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


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


