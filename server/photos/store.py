"""Where finished photo bytes live: a small interface, and the directory that implements it.

Keys are ``<sha256>`` (the cleaned image) and ``<sha256>.thumb`` (its thumbnail). Every method
blocks, so callers run them in a worker thread. An S3-compatible store would implement the same
five methods (``put`` as an upload of the temporary file, ``local_path`` returning ``None``).
"""

from __future__ import annotations

import functools
import os
import time
import uuid
from pathlib import Path
from typing import BinaryIO, Protocol

TEMP_SUFFIX = ".tmp"


class BlobStore(Protocol):
    """Content-addressed storage for finished photos."""

    def temp_path(self) -> Path:
        """A fresh local path to write a new blob into before ``put``."""

    def put(self, key: str, src: Path) -> None:
        """Move the finished file ``src`` to ``key`` atomically; an existing ``key`` is replaced."""

    def exists(self, key: str) -> bool: ...

    def open(self, key: str) -> BinaryIO:
        """Open ``key`` for reading (FileNotFoundError when absent)."""

    def delete(self, key: str) -> None:
        """Remove ``key``; absent keys are fine."""

    def local_path(self, key: str) -> Path | None:
        """A filesystem path for zero-copy serving, or ``None`` when the store is remote."""


class DirectoryBlobStore:
    """Blobs as files under one directory, fanned out by the first two hex digits."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp_dir = root / "tmp"

    def _path(self, key: str) -> Path:
        # Keys are made here from validated hex digests, never from client text.
        return self.root / key[:2] / key

    def temp_path(self) -> Path:
        # Same filesystem as the blobs, so put() is a rename, not a copy.
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        return self.tmp_dir / f"{uuid.uuid4().hex}{TEMP_SUFFIX}"

    def put(self, key: str, src: Path) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        # A 200 lets the phone delete its copy, so the bytes must survive a power cut first.
        _fsync_file(src)
        os.replace(src, dest)
        _fsync_dir(dest.parent)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def sweep_temp(self, older_than_s: float) -> int:
        """Remove temporary files a crashed process left behind; returns how many."""
        if not self.tmp_dir.is_dir():
            return 0
        cutoff = time.time() - older_than_s
        removed = 0
        for entry in os.scandir(self.tmp_dir):
            try:
                if entry.name.endswith(TEMP_SUFFIX) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:
                continue
        return removed


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on a directory; the rename itself is still atomic
    finally:
        os.close(fd)


@functools.lru_cache(maxsize=8)
def _directory_store(root: Path) -> DirectoryBlobStore:
    return DirectoryBlobStore(root)


def blob_store(settings) -> BlobStore:  # type: ignore[no-untyped-def]
    """The store in force for ``settings`` (the photo directory, for now)."""
    return _directory_store(settings.photo_dir.resolve())


def thumb_key(sha256: str) -> str:
    return f"{sha256}.thumb"
