"""Reading a push body: size limits, gzip with a cap on the inflated size, and a 400 that names the field."""

from __future__ import annotations

import zlib
from typing import Any

import msgspec

from server.errors import BadRequest, TooLarge, UnsupportedMediaType
from server.sync.protocol import MAX_MUTATIONS, MAX_PUSH_BYTES, PushRequest

LIMIT_TEXT = f"at most {MAX_MUTATIONS:,} mutations and 8 MiB ({MAX_PUSH_BYTES:,} bytes) per push"


async def read_body(request: Any, limit: int = MAX_PUSH_BYTES) -> bytes:
    """The raw body, refused with a 413 naming the limit as soon as it passes ``limit`` bytes."""
    too_large = TooLarge(f"The push body is larger than 8 MiB; send {LIMIT_TEXT}.")
    announced = request.headers.get("content-length")
    if announced and announced.isdigit() and int(announced) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def inflate(body: bytes, limit: int = MAX_PUSH_BYTES) -> bytes:
    """Gunzip ``body`` without ever holding more than ``limit`` + 1 bytes of output (a gzip bomb stops here)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error:
        raise BadRequest("The body says Content-Encoding: gzip but is not valid gzip data.") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise TooLarge(f"The push inflates to more than 8 MiB; send {LIMIT_TEXT}.")
    if not inflater.eof:
        raise BadRequest("The gzip body is cut short; send the whole body again.")
    return out


def decode_push(body: bytes, content_encoding: str | None) -> PushRequest:
    """The push request in ``body``, or a 400/413/415 error that says what to change."""
    if len(body) > MAX_PUSH_BYTES:
        raise TooLarge(f"The push body is larger than 8 MiB; send {LIMIT_TEXT}.")
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        body = inflate(body)
    elif encoding != "identity":
        raise UnsupportedMediaType(f"Content-Encoding {encoding} is not accepted; send gzip or no encoding.")
    try:
        request = msgspec.json.decode(body, type=PushRequest)
    except msgspec.ValidationError as e:
        raise BadRequest(f"The push body does not fit the protocol: {e}; nothing was applied.") from None
    except msgspec.DecodeError as e:
        raise BadRequest(f"The push body is not valid JSON ({e}); nothing was applied.") from None
    if len(request.mutations) > MAX_MUTATIONS:
        raise TooLarge(f"This push has {len(request.mutations):,} mutations; send {LIMIT_TEXT}.")
    return request
