"""tus upload state: create, report, append, terminate.

State lives in the ``uploads`` table so several server processes can share it; the bytes of an
unfinished upload are in ``<data_dir>/uploads/<id>``. Appends write at the position the client
names with ``pwrite``, so two overlapping PATCHes of the same upload (a retry racing a request
the phone gave up on) write the same bytes to the same places and the offset only grows.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update

from server.auth import Principal
from server.clock import as_utc, utcnow
from server.errors import BadRequest, ChecksumMismatch, Conflict, Gone, NotFound, TooLarge, UnsupportedMediaType
from server.models import Upload
from server.photos import ingest
from server.photos.tus import ACCEPTED_FILETYPES, CHECKSUMS, UPLOAD_ID_RE, ClientGone

# Bytes gathered before one write to disk: few thread hops, bounded memory per request.
FLUSH_AT = 1024 * 1024


@dataclass(frozen=True)
class UploadInfo:
    id: str
    sha256: str
    length: int
    offset: int
    meta: dict[str, str]
    expires_at: datetime
    finished: bool


def _info(row: Upload) -> UploadInfo:
    return UploadInfo(row.id, row.sha256, row.length, row.offset, dict(row.meta or {}), as_utc(row.expires_at),
                      row.finished_at is not None)


def upload_path(settings: Any, upload_id: str) -> Path:
    return settings.upload_dir / upload_id


async def create(db: Any, settings: Any, principal: Principal, length: int, meta: dict[str, str],
                 chunks: AsyncIterator[bytes] | None = None,
                 checksum: tuple[str, bytes] | None = None) -> UploadInfo:
    """Start an upload of ``length`` bytes whose SHA-256 is ``meta['sha256']``.

    With ``chunks`` (tus creation-with-upload) the first bytes come in the same request: a
    small photo then takes one round trip instead of two, which counts on a slow link.
    """
    if length > settings.photo_max_bytes:
        raise TooLarge(f"Upload-Length {length} is over the limit of {settings.photo_max_bytes} bytes per photo.")
    if length == 0:
        raise BadRequest("Upload-Length must be at least 1: an empty file is not a photo.")
    filetype = meta.get("filetype", "").lower()
    if filetype not in ACCEPTED_FILETYPES:
        raise UnsupportedMediaType(f"{filetype} is not accepted; send JPEG, PNG or WebP.")
    now = utcnow()
    row = Upload(id=uuid.uuid4().hex, user_id=principal.user_id, device_id=principal.device_id,
                 sha256=meta["sha256"], length=length, offset=0, meta=meta, created_at=now,
                 expires_at=now + timedelta(hours=settings.upload_expiry_hours), finished_at=None)
    async with db.write() as session:
        session.add(row)
    if chunks is not None:
        return await append(db, settings, principal, row.id, 0, chunks, checksum)
    return _info(row)


async def get(db: Any, principal: Principal, upload_id: str, *, allow_expired: bool = False) -> UploadInfo:
    """The caller's own upload: 404 for unknown ids and other users' uploads, 410 once expired."""
    if not UPLOAD_ID_RE.match(upload_id):
        raise NotFound("No such upload.")
    async with db.read() as session:
        row = await session.get(Upload, upload_id)
    if row is None or row.user_id != principal.user_id:
        raise NotFound("No such upload.")
    info = _info(row)
    if not allow_expired and info.expires_at <= utcnow():
        raise Gone("This upload has expired; start a new one with POST /api/uploads.")
    return info


async def append(db: Any, settings: Any, principal: Principal, upload_id: str, start: int,
                 chunks: AsyncIterator[bytes], checksum: tuple[str, bytes] | None) -> UploadInfo:
    """Write a PATCH body at ``start``; the last byte hands the upload to ``ingest.finish``."""
    up = await get(db, principal, upload_id)
    if start != up.offset:
        raise Conflict(f"Upload-Offset {start} does not match the server's offset {up.offset}; "
                       "ask with HEAD and resume from there.")
    if up.finished:
        return up
    path = upload_path(settings, up.id)
    hasher = CHECKSUMS[checksum[0]]() if checksum else None
    room = up.length - start
    written, gone, overflow = await _receive(path, start, room, chunks, hasher)
    end = start + written
    if overflow:
        raise TooLarge(f"The PATCH body goes past Upload-Length {up.length}.")
    if checksum and not gone and hasher.digest() != checksum[1]:  # type: ignore[union-attr]
        raise ChecksumMismatch(f"Upload-Checksum does not match this PATCH's bytes; send them again from {start}.")
    if checksum and gone:
        return up  # a cut chunk cannot be checked against its checksum: keep nothing of it
    if end == up.length:
        await ingest.finish(db, settings, up.id, up.sha256, up.length, path)
        return UploadInfo(up.id, up.sha256, up.length, up.length, up.meta, up.expires_at, True)
    if written == 0:
        return up
    expires_at = utcnow() + timedelta(hours=settings.upload_expiry_hours)
    async with db.write() as session:
        # Only ever forward, and only from bytes that join on to what is already recorded.
        await session.execute(
            update(Upload)
            .where(Upload.id == up.id, Upload.offset >= start, Upload.offset < end)
            .values(offset=end, expires_at=expires_at)
        )
    return UploadInfo(up.id, up.sha256, up.length, end, up.meta, expires_at, False)


async def _receive(path: Path, start: int, room: int, chunks: AsyncIterator[bytes],
                   hasher: Any) -> tuple[int, bool, bool]:
    """Stream ``chunks`` to ``path`` at ``start``: (bytes written, client gone, body too long)."""
    sink = _Sink(path, hasher)
    written, gone, overflow = 0, False, False
    buf = bytearray()
    try:
        try:
            async for chunk in chunks:
                if written + len(buf) + len(chunk) > room:
                    overflow = True
                    break
                buf += chunk
                if len(buf) >= FLUSH_AT:
                    data, buf = buf, bytearray()
                    await asyncio.to_thread(sink.write, data, start + written)
                    written += len(data)
        except ClientGone:
            gone = True
        if not overflow:
            # A partial upload may wait days for the next PATCH: make the recorded offset true on disk.
            partial = written + len(buf) < room
            await asyncio.to_thread(sink.finish, buf, start + written, partial)
            written += len(buf)
    finally:
        if sink.fd is not None:
            await asyncio.to_thread(sink.close)
    return written, gone, overflow


class _Sink:
    """The upload's file, written from worker threads; opened on the first bytes."""

    def __init__(self, path: Path, hasher: Any) -> None:
        self.path = path
        self.hasher = hasher
        self.fd: int | None = None

    def write(self, data: bytearray, position: int) -> None:
        if self.fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
        view = memoryview(data)
        while view:
            n = os.pwrite(self.fd, view, position)
            view = view[n:]
            position += n
        if self.hasher is not None:
            self.hasher.update(data)

    def finish(self, data: bytearray, position: int, sync: bool) -> None:
        """Write the last bytes and close, in one trip to a worker thread."""
        if data:
            self.write(data, position)
        if self.fd is not None:
            if sync:
                os.fsync(self.fd)
            self.close()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


async def terminate(db: Any, settings: Any, principal: Principal, upload_id: str) -> None:
    """tus termination: forget the upload and its bytes."""
    up = await get(db, principal, upload_id, allow_expired=True)
    await ingest.discard(db, up.id, upload_path(settings, up.id))


async def delete_expired(db: Any, now: datetime) -> list[str]:
    """Delete the rows of uploads expired at ``now``; returns their ids."""
    async with db.write() as session:
        # RETURNING: a PATCH may extend an upload between a SELECT and a DELETE; only what this
        # statement removed loses its bytes.
        rows = await session.scalars(delete(Upload).where(Upload.expires_at <= now).returning(Upload.id))
        return list(rows)


async def known_ids(db: Any, ids: list[str]) -> set[str]:
    found: set[str] = set()
    async with db.read() as session:
        for i in range(0, len(ids), 500):
            found.update(await session.scalars(select(Upload.id).where(Upload.id.in_(ids[i:i + 500]))))
    return found
