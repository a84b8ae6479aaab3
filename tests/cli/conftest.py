"""Helpers for driving the real `doorstep` command in a subprocess."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from server.models import Base

PASSWORD = "qingshi-demo-2026"
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


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the demo town loaded once (with PASSWORD); copy it before changing it."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    ok(run_cli("demo", "--data-dir", str(data_dir), "--password", PASSWORD))
    return data_dir


@pytest.fixture
def demo_copy(demo_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the demo data directory."""
    target = tmp_path / "data"
    shutil.copytree(demo_dir, target)
    return target
