"""Helpers for driving the real `doorstep` command in a subprocess."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.models import Base
from server.settings import Settings

TABLES = [t.name for t in Base.metadata.sorted_tables]
RECORD_TABLES = ("households", "visits", "disputes", "followups", "photos")


def cli_env(**extra: str) -> dict[str, str]:
    """This process's environment without any DOORSTEP_* setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], input=stdin, capture_output=True,
                          text=True, env=env or cli_env(), timeout=timeout, check=False)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


async def sign_in(data_dir: Path, username: str, password: str) -> dict:
    async with AsyncTestClient(app=create_app(Settings.from_env({}, data_dir=data_dir))) as client:
        r = await client.post("/api/auth/login", json={"username": username, "password": password,
                                                        "device_name": "cli test"})
        assert r.status_code == 200, r.text
        me = await client.get("/api/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
        assert me.status_code == 200, me.text
        return me.json()


def sqlite_counts(path: Path) -> dict[str, object]:
    """Row counts of every table, the highest version of every record table and the feed's end."""
    with sqlite3.connect(path) as conn:
        out: dict[str, object] = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}
        for t in RECORD_TABLES:
            out[f"{t}.max_version"] = conn.execute(f"SELECT max(version) FROM {t}").fetchone()[0]
            out[f"{t}.sum_version"] = conn.execute(f"SELECT sum(version) FROM {t}").fetchone()[0]
        out["changes.max_seq"] = conn.execute("SELECT max(seq) FROM changes").fetchone()[0]
    return out


def sqlite_dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    with sqlite3.connect(path) as conn:
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in TABLES}


def printed_passwords(out: str) -> dict[str, str]:
    """username -> password from the output of `doorstep demo` without --password."""
    lines = out.splitlines()
    return {prev.split()[0]: line.split("password: ", 1)[1]
            for prev, line in zip(lines, lines[1:]) if "password: " in line}


@pytest.fixture(scope="session")
def demo_load(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo town loaded once, without --password, and what the command printed."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    return data_dir, ok(run_cli("demo", "--data-dir", str(data_dir)))


@pytest.fixture(scope="session")
def demo_dir(demo_load: tuple[Path, str]) -> Path:
    """A data directory with the demo town; copy it (``demo_copy``) before changing it."""
    return demo_load[0]


@pytest.fixture(scope="session")
def demo_passwords(demo_load: tuple[Path, str]) -> dict[str, str]:
    return printed_passwords(demo_load[1])


@pytest.fixture
def demo_copy(demo_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the demo data directory."""
    target = tmp_path / "data"
    shutil.copytree(demo_dir, target)
    return target
