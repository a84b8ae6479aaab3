"""tus 1.0.0 wire details: protocol headers, their parsing, and the raw request body.

https://tus.io/protocols/resumable-upload (core, creation, creation-with-upload, expiration, checksum,
termination).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from server.clock import as_utc
from server.errors import BadRequest, DoorstepError

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,expiration,checksum,termination"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
CHECKSUMS: dict[str, Callable[[], Any]] = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
UPLOAD_ID_RE = re.compile(r"^[0-9a-f]{32}$")
# What the server keeps of Upload-Metadata; other keys are accepted and ignored.
KEPT_METADATA = ("sha256", "filename", "filetype")
MAX_METADATA_HEADER = 4096
# filetype values refused at POST, before any byte is sent (the bytes are checked again at the end).
ACCEPTED_FILETYPES = {"image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/webp",
                      "application/octet-stream", ""}


class PreconditionFailed(DoorstepError):
    """The client speaks a tus version this server does not."""

    status_code = 412


class ClientGone(Exception):
    """The client closed the connection before the body ended."""


def resumable_headers() -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION}


def check_resumable(headers: Mapping[str, str]) -> None:
    version = headers.get("tus-resumable")
    if version != TUS_VERSION:
        raise PreconditionFailed(
            f"Send Tus-Resumable: {TUS_VERSION} (got {version or 'nothing'}).", headers={"Tus-Version": TUS_VERSION}
        )


def parse_int_header(headers: Mapping[str, str], name: str) -> int:
    raw = headers.get(name.lower())
    if raw is None:
        raise BadRequest(f"The {name} header is required.")
    # int() would also take "+5", " 5" and "5_0"; tus wants plain digits.
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise BadRequest(f"{name} must be a non-negative integer, got {raw[:40]!r}.")
    return int(raw)


def parse_metadata(raw: str | None) -> dict[str, str]:
    """Decode ``Upload-Metadata`` (``key base64value`` pairs separated by commas)."""
    if not raw:
        raise BadRequest("Upload-Metadata is required and must contain sha256.")
    if len(raw) > MAX_METADATA_HEADER:
        raise BadRequest(f"Upload-Metadata is longer than {MAX_METADATA_HEADER} characters.")
    meta: dict[str, str] = {}
    for pair in raw.split(","):
        key, _, value = pair.strip().partition(" ")
        if not key or " " in value.strip():
            raise BadRequest(f"Upload-Metadata has a malformed pair {pair.strip()[:60]!r}.")
        if key in meta:
            raise BadRequest(f"Upload-Metadata names {key!r} twice.")
        try:
            meta[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise BadRequest(f"Upload-Metadata value for {key[:40]!r} is not base64 of UTF-8 text.") from None
    sha = meta.get("sha256", "")
    if not SHA256_RE.match(sha):
        raise BadRequest("Upload-Metadata sha256 must be the photo's SHA-256 as 64 lowercase hex digits.")
    return {k: meta[k][:200] for k in KEPT_METADATA if k in meta}


def encode_metadata(meta: Mapping[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode('ascii')}" for k, v in meta.items())


def parse_checksum(raw: str | None) -> tuple[str, bytes] | None:
    """``Upload-Checksum: <algorithm> <base64 digest>`` -> (algorithm, digest), or None."""
    if raw is None:
        return None
    name, _, value = raw.strip().partition(" ")
    name = name.lower()
    if name not in CHECKSUMS:
        raise BadRequest(f"Upload-Checksum algorithm {name[:20]!r} is not supported; use {', '.join(CHECKSUMS)}.")
    try:
        return name, base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        raise BadRequest("Upload-Checksum digest is not valid base64.") from None


def http_date(value: datetime) -> str:
    """RFC 9110 date, as Upload-Expires wants it."""
    return format_datetime(as_utc(value), usegmt=True)


async def body_chunks(receive: Callable[[], Awaitable[Any]]) -> AsyncIterator[bytes]:
    """The request body straight from ASGI, chunk by chunk, so nothing is held whole in memory.

    Reading ASGI messages ourselves (rather than ``request.stream()``) tells a cut connection
    apart from a server error: the bytes that did arrive are kept and the upload resumes there.
    """
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        body = message.get("body", b"")
        if body:
            yield body
        if not message.get("more_body", False):
            return
