"""The last byte of an upload: hash, validate, clean, store, and record the blob once per photo."""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, select, update

from server.clock import utcnow
from server.errors import ChecksumMismatch, TooLarge, UnsupportedMediaType
from server.models import PhotoBlob, Upload
from server.photos.imaging import Processed, process_upload, sha256_file
from server.photos.store import BlobStore, blob_store, thumb_key

T = TypeVar("T")
# Errors that mean these bytes will never be accepted: the upload is dropped, the client starts over.
REFUSALS = (ChecksumMismatch, TooLarge, UnsupportedMediaType)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _pillow_pool() -> ThreadPoolExecutor:
    """One thread per core: Pillow releases the GIL, and the bound also caps memory for decoded images."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="doorstep-pillow")
        return _pool


async def in_pillow_thread(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_pillow_pool(), functools.partial(fn, *args))


async def finish(db: Any, settings: Any, upload_id: str, sha256: str, length: int, src: Path) -> None:
    """Turn a complete upload into a stored photo; on a refusal the upload is discarded and re-raised."""
    store = blob_store(settings)
    processed: Processed | None = None
    try:
        if await blob_exists(db, sha256):
            # Another device sent this photo first: only prove these bytes are the same photo.
            digest, _ = await in_pillow_thread(sha256_file, src)
            if digest != sha256:
                raise ChecksumMismatch(
                    f"The bytes received hash to {digest}, not to the declared sha256 {sha256}; upload again."
                )
        else:
            processed = await in_pillow_thread(_process_and_put, store, src, sha256, settings.photo_max_pixels)
    except REFUSALS:
        await discard(db, upload_id, src)
        raise
    await _record(db, settings, upload_id, length, processed)
    await asyncio.to_thread(src.unlink, missing_ok=True)


def _process_and_put(store: BlobStore, src: Path, sha256: str, max_pixels: int) -> Processed:
    processed = process_upload(src, sha256, max_pixels, store.temp_path)
    # Thumbnail first: once the full image is in place, both are.
    try:
        store.put(thumb_key(processed.sha256), processed.thumb)
        store.put(processed.sha256, processed.full)
    finally:
        processed.thumb.unlink(missing_ok=True)
        processed.full.unlink(missing_ok=True)
    return processed


async def _record(db: Any, settings: Any, upload_id: str, length: int, processed: Processed | None) -> None:
    now = utcnow()
    async with db.write() as session:
        if processed is not None:
            # Two devices may finish the same photo at once: the second insert is a no-op.
            await session.execute(_insert_ignore(db).values(
                sha256=processed.sha256, size=processed.size, stored_size=processed.stored_size,
                width=processed.width, height=processed.height, mime=processed.mime, created_at=now,
            ))
        await session.execute(
            update(Upload).where(Upload.id == upload_id).values(
                offset=length, finished_at=now, expires_at=now + timedelta(hours=settings.upload_expiry_hours),
            )
        )


def _insert_ignore(db: Any) -> Any:
    if db.is_sqlite:
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    return insert(PhotoBlob).on_conflict_do_nothing(index_elements=["sha256"])


async def discard(db: Any, upload_id: str, src: Path) -> None:
    """Forget an upload and its bytes."""
    async with db.write() as session:
        await session.execute(delete(Upload).where(Upload.id == upload_id))
    await asyncio.to_thread(src.unlink, missing_ok=True)


async def blob_exists(db: Any, sha256: str) -> bool:
    async with db.read() as session:
        return (await session.scalar(select(PhotoBlob.sha256).where(PhotoBlob.sha256 == sha256))) is not None
