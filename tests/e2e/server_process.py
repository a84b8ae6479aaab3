"""Start a real Doorstep server (demo town, SQLite in a temporary directory) as a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


from tests.live import free_port, wait_healthy

from .helpers import PASSWORD


def _doorstep_command() -> list[str]:
    exe = Path(sys.executable).with_name("doorstep")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("doorstep")
    if found:
        return [found]
    return [sys.executable, "-m", "server.cli"]


@contextmanager
def run_server(data: Path, env_extra: dict[str, str] | None = None) -> Iterator[str]:
    """Load the demo town into ``data`` and serve it on a free loopback port; yields the base URL.

    ``env_extra`` is added to the server's environment after the caller's DOORSTEP_* variables
    are dropped (e.g. DOORSTEP_PWA_DIR to serve a copy of the field app).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    env["DOORSTEP_DATA_DIR"] = str(data)
    env.update(env_extra or {})
    cmd = _doorstep_command()
    demo = subprocess.run(
        [*cmd, "demo", "--data-dir", str(data), "--password", PASSWORD],
        env=env, capture_output=True, text=True, timeout=180,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    port = free_port()
    log = data / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*cmd, "serve", "--data-dir", str(data), "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log=log)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
