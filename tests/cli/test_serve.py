"""`doorstep serve` in a subprocess answers /api/health, then stops cleanly."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.cli.conftest import cli_env

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_migrates_and_answers_health(tmp_path):
    port = free_port()
    data_dir = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--data-dir",
                             str(data_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=cli_env())
    try:
        deadline = time.monotonic() + 30
        response = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None, f"server did not answer; exit {proc.poll()}"
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
        assert (data_dir / "doorstep.sqlite3").is_file()
    finally:
        proc.terminate()
        try:
            out, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    assert f"http://127.0.0.1:{port}/" in out
    assert str(data_dir.resolve()) in out
    assert "Traceback" not in err
