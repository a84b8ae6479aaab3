"""`doorstep backup`: a readable copy of the ledger with the same rows, and the photos beside it."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.cli.conftest import cli_env, ok, run_cli, sqlite_counts

pytestmark = pytest.mark.slow


def test_backup_copies_ledger_and_photos(demo_copy, tmp_path):
    photo = demo_copy / "photos" / "ab" / "ab12.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"not really a jpeg")
    out = ok(run_cli("backup", "--data-dir", str(demo_copy), "--output", str(tmp_path / "backups")))
    target = tmp_path / "backups" / out.strip().splitlines()[-1].rsplit("/", 1)[-1]
    assert out.strip().splitlines()[-1] == str(target.resolve())
    copy = target / "doorstep.sqlite3"
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert sqlite_counts(copy) == sqlite_counts(demo_copy / "doorstep.sqlite3")
    assert (target / "photos" / "ab" / "ab12.jpg").read_bytes() == b"not really a jpeg"
    manifest = json.loads((target / "backup.json").read_text())
    assert manifest["schema_revision"] == "0001" and manifest["photo_files"] == 1


def test_backup_defaults_to_the_data_dirs_backups_folder(demo_copy):
    out = ok(run_cli("backup", "--data-dir", str(demo_copy)))
    path = out.strip().splitlines()[-1]
    assert path.startswith(str((demo_copy / "backups").resolve()))
    assert (demo_copy / "backups").is_dir()


def test_backup_while_a_writer_holds_the_ledger_open(demo_copy, tmp_path):
    # The server keeps the ledger open in WAL mode; the online backup must still see committed rows.
    live = sqlite3.connect(demo_copy / "doorstep.sqlite3")
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("INSERT INTO login_throttle (key, failures, window_start) VALUES ('user:x', 1, '2026-01-01')")
    live.commit()
    live.execute("BEGIN IMMEDIATE")  # an open write transaction that the backup must not wait for
    try:
        out = ok(run_cli("backup", "--data-dir", str(demo_copy), "--output", str(tmp_path / "b"), timeout=60))
    finally:
        live.rollback()
        live.close()
    copy = out.strip().splitlines()[-1] + "/doorstep.sqlite3"
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM login_throttle").fetchone()[0] == 1


def test_backup_refuses_postgresql_and_missing_ledgers(tmp_path):
    env = cli_env(DOORSTEP_DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1/doorstep")
    result = run_cli("backup", "--data-dir", str(tmp_path), env=env)
    assert result.returncode == 2 and "pg_dump" in result.stderr
    result = run_cli("backup", "--data-dir", str(tmp_path / "empty"))
    assert result.returncode == 2 and "there is no ledger" in result.stderr
