"""Which photo bytes a caller may fetch, and the validators that let browsers cache them forever."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from server.auth import Principal
from server.errors import NotFound
from server.models import Photo, PhotoBlob
from server.photos.store import BlobStore, blob_store, thumb_key
from server.photos.tus import SHA256_RE

CACHE_FOREVER = "private, max-age=31536000, immutable"
READ_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Served:
    """One stored image the caller may read."""

    key: str
    mime: str
    etag: str
    store: BlobStore

    @property
    def path(self) -> Path | None:
        return self.store.local_path(self.key)


async def held(db: Any, sha256: str) -> bool:
    """Whether the server has the bytes (whatever records link them)."""
    if not SHA256_RE.match(sha256):
        return False
    async with db.read() as session:
        return (await session.scalar(select(PhotoBlob.sha256).where(PhotoBlob.sha256 == sha256))) is not None


async def missing(db: Any, ids: list[str]) -> list[str]:
    """The ids in ``ids`` whose bytes the server lacks, in the order given, each once."""
    wanted = list(dict.fromkeys(ids))
    have: set[str] = set()
    async with db.read() as session:
        for i in range(0, len(wanted), 500):
            have.update(await session.scalars(select(PhotoBlob.sha256).where(PhotoBlob.sha256.in_(wanted[i:i + 500]))))
    return [i for i in wanted if i not in have]


async def visible(db: Any, settings: Any, principal: Principal, sha256: str, size: str) -> Served:
    """The stored image if a live photo record in the caller's scope links it; 404 otherwise.

    Bytes with no record yet, a record outside the scope, an archived record and an unknown id
    all get the same 404, so a probe learns nothing.
    """
    if not SHA256_RE.match(sha256):
        raise NotFound("No such photo.")
    async with db.read() as session:
        mime = await session.scalar(
            select(PhotoBlob.mime)
            .join(Photo, Photo.id == PhotoBlob.sha256)
            .where(PhotoBlob.sha256 == sha256, Photo.archived.is_(False), principal.scope.clause(Photo.area_id))
        )
    if mime is None:
        raise NotFound("No such photo.")
    store = blob_store(settings)
    if size == "thumb":
        return Served(thumb_key(sha256), "image/jpeg", f'"{sha256}-thumb"', store)
    return Served(sha256, mime, f'"{sha256}"', store)


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: weak comparison, ``*`` matches anything."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


async def chunks(served: Served) -> AsyncIterator[bytes]:
    """The bytes of a blob from a store without local files (an object store, later)."""
    f = await asyncio.to_thread(served.store.open, served.key)
    try:
        while data := await asyncio.to_thread(f.read, READ_CHUNK):
            yield data
    finally:
        await asyncio.to_thread(f.close)
