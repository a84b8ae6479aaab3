"""Lossless metadata removal for JPEG: copy the segments a decoder needs, drop every other one.

A JPEG is a run of marker segments; metadata can only live in APPn and COM segments and in
bytes after the end-of-image marker. Copying everything else byte for byte keeps the image
exactly as the phone encoded it (no second lossy encode) and costs a scan instead of an encode.
Kept besides the decoding segments: a JFIF header without an embedded thumbnail, ICC colour
profiles and the Adobe colour-transform flag, all of which say how to read the pixels.
Anything unexpected returns None and the caller re-encodes from decoded pixels instead.
"""

from __future__ import annotations

SOI, EOI, SOS, COM = 0xD8, 0xD9, 0xDA, 0xFE
APP0, APP2, APP14 = 0xE0, 0xE2, 0xEE
# SOFn, DHT, DAC (C0-CF), DQT, DNL, DRI, DHP, EXP: everything decoding needs.
DECODING = frozenset(range(0xC0, 0xD0)) - {0xC8} | {0xDB, 0xDC, 0xDD, 0xDE, 0xDF}
JFIF_WITHOUT_THUMBNAIL = 16  # segment length of a JFIF APP0 whose thumbnail is 0x0


def strip_jpeg(data: bytes) -> bytes | None:
    """``data`` without metadata, or None when it is not a JPEG this parser fully understands."""
    if not data.startswith(b"\xff\xd8"):
        return None
    out = [b"\xff\xd8"]
    i, n = 2, len(data)
    while i < n:
        if data[i] != 0xFF:
            return None
        while i < n and data[i] == 0xFF:  # fill bytes may pad any marker
            i += 1
        if i >= n:
            return None
        marker = data[i]
        i += 1
        if marker == EOI:
            out.append(b"\xff\xd9")
            return b"".join(out)  # whatever follows (MPF pictures, appended files) is dropped
        if i + 2 > n:
            return None
        length = int.from_bytes(data[i:i + 2], "big")
        if length < 2 or i + length > n:
            return None
        payload = data[i + 2:i + length]
        if _keep(marker, length, payload):
            out.append(bytes((0xFF, marker)) + data[i:i + length])
        elif not (0xE0 <= marker <= 0xEF or marker == COM):
            return None  # a marker we do not know: let the re-encode decide
        i += length
        if marker == SOS:
            end = _scan_end(data, i)
            if end is None:
                return None
            out.append(data[i:end])
            i = end
    return None  # no end-of-image marker: truncated


def _keep(marker: int, length: int, payload: bytes) -> bool:
    if marker in DECODING or marker == SOS:
        return True
    if marker == APP0:
        return payload.startswith(b"JFIF\x00") and length == JFIF_WITHOUT_THUMBNAIL
    if marker == APP2:
        return payload.startswith(b"ICC_PROFILE\x00")
    if marker == APP14:
        return payload.startswith(b"Adobe")
    return False


def _scan_end(data: bytes, i: int) -> int | None:
    """Index of the marker that ends the entropy-coded data starting at ``i``."""
    n = len(data)
    while True:
        j = data.find(b"\xff", i)
        if j < 0 or j + 1 >= n:
            return None
        following = data[j + 1]
        # 0xFF00 is a stuffed data byte and 0xFFD0-D7 are restart markers: both belong to the scan.
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            i = j + 2
            continue
        return j
