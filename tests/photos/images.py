"""Test images made on the fly: phone-like JPEGs, EXIF with GPS, bombs, broken files."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

from PIL import ExifTags, Image


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def jpeg(width: int = 640, height: int = 480, *, seed: int = 0, exif: Image.Exif | None = None,
         comment: bytes | None = None, xmp: bytes | None = None, quality: int = 85) -> bytes:
    """A JPEG with a gradient and noise (so it compresses like a photo), distinct per ``seed``."""
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.effect_noise((width, height), 20 + seed % 50).convert("RGB")
    img = Image.blend(base, noise, 0.15)
    img.putpixel((0, 0), (seed % 256, (seed // 256) % 256, 7))
    kwargs: dict = {"quality": quality}
    if exif is not None:
        kwargs["exif"] = exif
    if comment is not None:
        kwargs["comment"] = comment
    if xmp is not None:
        kwargs["xmp"] = xmp
    buf = io.BytesIO()
    img.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def oriented_jpeg_with_gps() -> bytes:
    """300x200 as stored, orientation 6 (shown rotated 90 degrees clockwise), GPS, XMP and a comment.

    The stored top-left 60x40 block is red: shown upright it is at the top right.
    """
    img = Image.new("RGB", (300, 200), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, 60, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (30.0, 15.0, 7.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (120.0, 9.0, 1.25)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95, exif=exif, comment=b"taken at 3 Lane Road",
             xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><gps>30.25</gps></x:xmpmeta>')
    return buf.getvalue()


def png(width: int = 64, height: int = 48, mode: str = "RGB", **save: object) -> bytes:
    img = Image.new(mode, (width, height), "green" if mode not in ("1", "L", "P") else 1)
    buf = io.BytesIO()
    img.save(buf, "PNG", **save)
    return buf.getvalue()


def webp(width: int = 64, height: int = 48) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(buf, "WEBP", quality=80)
    return buf.getvalue()


def huge_png(width: int = 10_000, height: int = 5_000) -> bytes:
    """A valid 1-bit PNG of ``width`` x ``height`` (50 megapixels by default) in a few kilobytes.

    Built chunk by chunk so the test never holds the decoded pixels either.
    """
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    z = zlib.compressobj(9)
    body = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def info_of(data: bytes) -> tuple[Image.Image, dict]:
    img = Image.open(io.BytesIO(data))
    return img, dict(img.info)
