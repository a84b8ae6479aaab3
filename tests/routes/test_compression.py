"""Responses gzipped (ISA-L for large bodies, zlib for small ones): when they are, when they are not, and that the bytes on the wire decode.

httpx decodes gzip in ``response.content``, so these tests read the bytes as sent with ``aiter_raw``.
"""

from __future__ import annotations

import gzip
import json
import zlib

import pytest
from litestar.config.compression import CompressionConfig

from server.compression import LARGE, IsalGzipMiddleware, accepts_gzip
from tests.photos.conftest import link_photo
from tests.photos.images import jpeg, sha
from tests.photos.tus_helpers import send as upload
from tests.sync.helpers import household, mutation, new_id, push

GZIP_MAGIC = b"\x1f\x8b"


async def fetch(client, path: str, headers: dict[str, str], **params):  # type: ignore[no-untyped-def]
    """(response, the body bytes exactly as the server sent them)."""
    async with client.stream("GET", path, headers=headers, params=params) as r:
        raw = b"".join([chunk async for chunk in r.aiter_raw()])
    return r, raw


@pytest.mark.parametrize("count", [40, 400])  # under and over LARGE: zlib, then ISA-L
async def test_a_pull_page_is_gzipped_and_decodes_to_the_uncompressed_json(client, ledger, count):
    headers = await ledger.headers("worker1")
    area = ledger.area("G1")
    await push(client, headers, [mutation("households", new_id(), household(area, address=f"{n} Well Lane"))
                                 for n in range(count)])

    plain, plain_raw = await fetch(client, "/api/sync/pull", headers | {"accept-encoding": "identity"}, limit=500)
    assert plain.status_code == 200
    assert "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(plain_raw) > 4096
    assert (len(plain_raw) >= LARGE) == (count == 400)

    r, raw = await fetch(client, "/api/sync/pull", headers | {"accept-encoding": "gzip, deflate"}, limit=500)
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in r.headers["vary"].lower()
    assert int(r.headers["content-length"]) == len(raw)
    assert raw.startswith(GZIP_MAGIC) and len(raw) < len(plain_raw) / 2
    assert json.loads(gzip.decompress(raw)) == json.loads(plain_raw)
    assert len(json.loads(plain_raw)["changes"]) >= count


async def test_a_small_response_goes_out_untouched(client):
    r, raw = await fetch(client, "/api/health", {"accept-encoding": "gzip"})
    assert r.status_code == 200
    assert "content-encoding" not in r.headers
    assert int(r.headers["content-length"]) == len(raw) < 512
    assert json.loads(raw)["status"] == "ok"


async def test_a_client_that_refuses_gzip_gets_plain_bytes(client):
    # Litestar's own middleware would gzip "gzip;q=0" (it looks for the substring): this also shows ours is wired in.
    for accept in ("identity", "gzip;q=0, identity", "br"):
        r, raw = await fetch(client, "/schema/openapi.json", {"accept-encoding": accept})
        assert "content-encoding" not in r.headers, accept
        assert int(r.headers["content-length"]) == len(raw) > 512
        assert json.loads(raw)["openapi"]


async def test_a_static_file_is_gzipped_with_its_length(client):
    plain, plain_raw = await fetch(client, "/sw.js", {"accept-encoding": "identity"})
    r, raw = await fetch(client, "/sw.js", {"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert int(r.headers["content-length"]) == len(raw)
    assert gzip.decompress(raw) == plain_raw


async def test_photo_bytes_skip_compression(client, ledger):
    headers = await ledger.headers("worker1")
    data = jpeg(seed=31)
    assert (await upload(client, headers, data)).status_code == 204
    await link_photo(client, ledger, sha(data))
    r, raw = await fetch(client, f"/api/photos/{sha(data)}", headers | {"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert "content-encoding" not in r.headers
    assert raw.startswith(b"\xff\xd8") and int(r.headers["content-length"]) == len(raw) > 512


def test_accept_encoding_is_read_with_its_weights():
    assert accepts_gzip("gzip") and accepts_gzip("br, GZIP;q=0.5") and accepts_gzip("deflate, gzip, br, zstd")
    assert not accepts_gzip("") and not accepts_gzip("identity") and not accepts_gzip("x-gzip-ish")
    assert not accepts_gzip("gzip;q=0") and not accepts_gzip("gzip; q=0.000, br")


async def _through_middleware(start_headers: list[tuple[bytes, bytes]], bodies: list[bytes]) -> list[dict]:
    """Run a bare ASGI app that sends ``bodies`` through the middleware; return the messages it let out."""
    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        await send({"type": "http.response.start", "status": 200, "headers": list(start_headers)})
        for i, body in enumerate(bodies):
            await send({"type": "http.response.body", "body": body, "more_body": i < len(bodies) - 1})

    sent: list[dict] = []

    async def collect(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    middleware = IsalGzipMiddleware(app, CompressionConfig(backend="gzip", middleware_class=IsalGzipMiddleware,
                                                           minimum_size=512))
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"accept-encoding", b"gzip")]}
    await middleware(scope, None, collect)  # type: ignore[arg-type]
    return sent


async def test_a_streamed_response_is_compressed_chunk_by_chunk():
    chunks = [b'{"a": "' + b"x" * 100, b"y" * 300 + b'", ', b'"b": 1}', b""]
    start, *bodies = await _through_middleware([(b"content-length", b"411"), (b"vary", b"Origin")], chunks)
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    assert headers["content-encoding"] == "gzip" and "content-length" not in headers
    assert [v.strip() for v in headers["vary"].split(",")] == ["Origin", "Accept-Encoding"]
    # Each part is flushed: a reader gets every chunk in full as soon as its part arrives.
    reader = zlib.decompressobj(wbits=31)
    for chunk, body in zip(chunks, bodies, strict=True):
        assert reader.decompress(body["body"]) == chunk
    assert reader.eof and bodies[-1]["more_body"] is False


async def test_an_already_encoded_response_is_left_alone():
    body = b"\x00" * 2000
    start, sent = await _through_middleware([(b"content-encoding", b"br"), (b"content-length", b"2000")], [body])
    assert sorted(start["headers"]) == [(b"content-encoding", b"br"), (b"content-length", b"2000")]
    assert sent["body"] == body
