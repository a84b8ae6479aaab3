"""A real server on a loopback port, in a thread, for clients that need real HTTP (tus, schemathesis)."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from server.app import create_app
from server.db import Database
from server.settings import Settings
from tests.seed import PASSWORD, seed


def wait_healthy(base_url: str, proc: subprocess.Popen, timeout: float = 40.0, log: Path | None = None) -> None:
    """Wait until a server process answers /api/health; kill it and raise if it never does."""
    tail = (lambda: ":\n" + log.read_text()[-4000:]) if log is not None else (lambda: "")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited early{tail()}")
        try:
            if httpx.get(f"{base_url}/api/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the server did not answer /api/health within {timeout:.0f} s{tail()}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def seed_database(settings: Settings) -> None:
    """Load the test town into the (migrated) database of ``settings``."""
    db = Database(settings)
    try:
        await seed(db)
    finally:
        await db.dispose()


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """Serve ``create_app(settings)`` from a thread; yields the base URL.

    The socket is bound here and handed to uvicorn, so no other process can take the port between
    choosing it and listening on it.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), lifespan="on", log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """Seed the (migrated) database of ``settings`` and serve it; yields the base URL."""
    asyncio.run(seed_database(settings))
    with serve(settings) as base_url:
        yield base_url


def token_for(base_url: str, username: str, device_name: str = "test") -> str:
    r = httpx.post(f"{base_url}/api/auth/login",
                   json={"username": username, "password": PASSWORD, "device_name": device_name})
    r.raise_for_status()
    return r.json()["token"]
