"""Raw tus calls through the in-process test client, for protocol details tuspy never exercises."""

from __future__ import annotations

import base64

from litestar.testing import AsyncTestClient

from tests.photos.images import sha

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = {"Content-Type": "application/offset+octet-stream"}


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


async def create(client: AsyncTestClient, headers: dict, data: bytes, *, declared: str | None = None,
                 length: int | None = None, **meta: str):  # type: ignore[no-untyped-def]
    return await client.post("/api/uploads", headers={
        **headers, **TUS, "Upload-Length": str(len(data) if length is None else length),
        "Upload-Metadata": metadata(sha256=declared or sha(data), **meta)})


async def start(client: AsyncTestClient, headers: dict, data: bytes, **kw) -> str:  # type: ignore[no-untyped-def]
    r = await create(client, headers, data, **kw)
    assert r.status_code == 201, r.text
    return r.headers["location"]


async def patch(client: AsyncTestClient, headers: dict, location: str, offset: int, body: bytes,
                **extra: str):  # type: ignore[no-untyped-def]
    return await client.patch(location, content=body,
                              headers={**headers, **TUS, **OCTETS, "Upload-Offset": str(offset), **extra})


async def send(client: AsyncTestClient, headers: dict, data: bytes, **kw):  # type: ignore[no-untyped-def]
    """A whole upload in one PATCH; returns that PATCH's response."""
    location = await start(client, headers, data, **kw)
    return await patch(client, headers, location, 0, data)
