"""Lossless JPEG metadata removal: same pixels, no metadata, refusal of what it does not understand."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image, ImageCms

from server.photos.jpegstrip import strip_jpeg
from tests.photos.images import jpeg


def pixels(data: bytes) -> bytes:
    return Image.open(io.BytesIO(data)).tobytes()


def with_metadata(**save) -> bytes:  # type: ignore[no-untyped-def]
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] = (30.0, 15.0, 7.5)
    img = Image.open(io.BytesIO(jpeg(320, 200, seed=60)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, comment=b"3 Lane Road", xmp=b"<x:xmpmeta>secret</x:xmpmeta>", **save)
    return buf.getvalue()


@pytest.mark.parametrize("save", [{}, {"progressive": True}, {"restart_marker_blocks": 4}, {"subsampling": 0}])
def test_pixels_are_identical_and_metadata_gone(save):
    data = with_metadata(**save)
    stripped = strip_jpeg(data)
    assert stripped is not None and len(stripped) < len(data)
    assert pixels(stripped) == pixels(data)
    img = Image.open(io.BytesIO(stripped))
    assert not img.getexif() and not set(img.info) & {"exif", "xmp", "comment"}
    for needle in (b"PhoneMaker", b"Lane Road", b"secret", b"Exif"):
        assert needle not in stripped


def test_icc_profile_and_adobe_cmyk_are_kept():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buf, "JPEG", icc_profile=icc, comment=b"x")
    stripped = strip_jpeg(buf.getvalue())
    assert Image.open(io.BytesIO(stripped)).info["icc_profile"] == icc
    buf = io.BytesIO()
    Image.new("CMYK", (40, 30), (10, 200, 30, 0)).save(buf, "JPEG")
    stripped = strip_jpeg(buf.getvalue())
    assert b"Adobe" in stripped and pixels(stripped) == pixels(buf.getvalue())


def test_trailing_bytes_are_dropped():
    data = jpeg(64, 48, seed=61)
    assert strip_jpeg(data + b"PK\x03\x04zip") == strip_jpeg(data)


@pytest.mark.parametrize("data", [
    b"",
    b"\x89PNG\r\n\x1a\n",
    jpeg(64, 48, seed=62)[:-2],  # no end-of-image marker
    jpeg(64, 48, seed=62)[:400],
    b"\xff\xd8\xff\xc8\x00\x04ab\xff\xd9",  # the reserved JPG marker
    b"\xff\xd8\xff\xdb\x00\x40",  # a segment longer than the file
])
def test_what_it_does_not_understand_is_left_to_the_re_encode(data):
    assert strip_jpeg(data) is None
