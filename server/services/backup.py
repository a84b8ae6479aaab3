"""Online backup of a SQLite ledger and its photos, safe while the server runs."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from server import __version__
from server.clock import utcnow
from server.settings import Settings

LEDGER_FILE = "doorstep.sqlite3"


class BackupError(Exception):
    """A backup that cannot be made; the message says what to do instead."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    ledger: Path
    ledger_bytes: int
    photo_files: int


def ledger_path(settings: Settings) -> Path:
    """The SQLite file the settings point at."""
    database = make_url(settings.db_url).database
    if not database:
        raise BackupError("DOORSTEP_DATABASE_URL names no SQLite file to back up")
    return Path(database)


def backup(settings: Settings, output: Path | None = None, now: datetime | None = None) -> BackupResult:
    """Copy the ledger (sqlite3's online backup API) and the photo directory into a new timestamped folder."""
    if not settings.is_sqlite:
        raise BackupError("the ledger is on PostgreSQL: back it up with pg_dump (for example "
                          "`pg_dump --format=custom --file=doorstep.dump DBNAME`) and copy the photo directory "
                          f"{settings.photo_dir} alongside it")
    source = ledger_path(settings)
    if not source.is_file():
        raise BackupError(f"there is no ledger at {source}; check --data-dir or DOORSTEP_DATA_DIR")
    stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%SZ")
    target = (output or settings.data_dir / "backups") / stamp
    try:
        target.mkdir(parents=True, exist_ok=False)
    except FileExistsError:
        raise BackupError(f"{target} already exists; wait a second or choose another --output") from None
    except OSError as exc:
        raise BackupError(f"cannot create {target}: {exc.strerror}") from None
    copy = target / LEDGER_FILE
    revision = _copy_ledger(source, copy)
    photos = _copy_photos(settings.photo_dir, target / "photos")
    manifest = {"created_at": (now or utcnow()).isoformat(), "doorstep_version": __version__,
                "schema_revision": revision, "source": str(source), "photo_files": photos}
    (target / "backup.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return BackupResult(target, copy, copy.stat().st_size, photos)


def _copy_ledger(source: Path, copy: Path) -> str | None:
    # The backup API copies a consistent snapshot; under WAL the server's writers go on meanwhile.
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(copy)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)
        # A single self-contained file is easier to move and restore than one with a -wal beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy at {copy} failed its integrity check: {check}")
        try:
            row = dst.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            row = None
        return row[0] if row else None
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {source}: {exc}") from None
    finally:
        dst.close()
        src.close()


def _copy_photos(photo_dir: Path, target: Path) -> int:
    """Copy every stored photo file; photos are immutable once stored, so a plain copy is consistent."""
    target.mkdir()
    count = 0
    if not photo_dir.is_dir():
        return count
    for root, _dirs, files in os.walk(photo_dir):
        rel = Path(root).relative_to(photo_dir)
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                shutil.copy2(Path(root) / name, target / rel / name)
            except FileNotFoundError:
                continue  # a temporary file the server renamed or removed while we walked
            count += 1
    return count
