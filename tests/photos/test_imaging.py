"""The Pillow step on its own: formats, modes, metadata, orientation, limits."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from server.errors import ChecksumMismatch, TooLarge, UnsupportedMediaType
from server.photos.imaging import process_upload
from tests.photos.images import huge_png, jpeg, sha

pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


def run(tmp_path: Path, data: bytes, max_pixels: int = 40_000_000):  # type: ignore[no-untyped-def]
    src = tmp_path / "upload"
    src.write_bytes(data)
    counter = iter(range(1000))
    result = process_upload(src, sha(data), max_pixels, lambda: tmp_path / f"t{next(counter)}.tmp")
    return result, Image.open(result.full), Image.open(result.thumb)


def encoded(img: Image.Image, fmt: str, **kw) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def test_phone_jpeg_keeps_its_quality_and_size(tmp_path):
    data = jpeg(1600, 1200, seed=40)
    result, full, thumb = run(tmp_path, data)
    assert (result.width, result.height, result.mime) == (1600, 1200, "image/jpeg")
    assert 0.85 < result.stored_size / len(data) < 1.15
    assert thumb.size == (320, 240) and thumb.format == "JPEG"


@pytest.mark.parametrize("orientation, size", [(1, (300, 200)), (2, (300, 200)), (3, (300, 200)), (4, (300, 200)),
                                               (5, (200, 300)), (6, (200, 300)), (7, (200, 300)), (8, (200, 300))])
def test_every_exif_orientation_is_applied(tmp_path, orientation, size):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    result, full, _ = run(tmp_path, encoded(Image.new("RGB", (300, 200), "white"), "JPEG", exif=exif))
    assert full.size == size and (result.width, result.height) == size
    assert not full.getexif()


def test_broken_exif_does_not_cost_the_photo(tmp_path):
    data = encoded(Image.new("RGB", (40, 30), "white"), "JPEG", exif=b"Exif\x00\x00MM\x00*garbage")
    result, full, _ = run(tmp_path, data)
    assert full.size == (40, 30) and "exif" not in full.info


def test_png_text_exif_chunks_are_removed_and_transparency_kept(tmp_path):
    img = Image.new("P", (50, 40), 0)
    img.putpalette([255, 0, 0, 0, 255, 0])
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 30.25N")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta/>")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    data = encoded(img, "PNG", pnginfo=info, exif=exif, transparency=0)
    result, full, thumb = run(tmp_path, data)
    assert result.mime == "image/png"
    assert set(full.info) <= {"transparency", "dpi", "gamma"} and "transparency" in full.info
    assert b"GPS" not in result.full.read_bytes() and b"PhoneMaker" not in result.full.read_bytes()
    assert thumb.mode == "RGB" and thumb.getpixel((0, 0)) == (255, 255, 255), "transparent shows as white"


def test_webp_metadata_is_removed(tmp_path):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    data = encoded(Image.new("RGB", (64, 48), "orange"), "WEBP", exif=exif, xmp=b"<x:xmpmeta>gps</x:xmpmeta>")
    result, full, _ = run(tmp_path, data)
    assert result.mime == "image/webp"
    assert "exif" not in full.info and "xmp" not in full.info
    assert b"PhoneMaker" not in result.full.read_bytes()


def test_bytes_after_the_image_and_extra_pictures_are_gone(tmp_path):
    red, blue = Image.new("RGB", (64, 48), "red"), Image.new("RGB", (64, 48), "blue")
    mpo = encoded(red, "MPO", save_all=True, append_images=[blue])
    result, full, _ = run(tmp_path, mpo + b"PK\x03\x04hidden zip")
    assert full.format == "JPEG" and getattr(full, "n_frames", 1) == 1
    assert b"hidden zip" not in result.full.read_bytes()
    assert result.stored_size < len(mpo)


def test_cmyk_and_sixteen_bit_images_get_a_thumbnail(tmp_path):
    result, full, thumb = run(tmp_path, encoded(Image.new("CMYK", (400, 100), (0, 255, 0, 0)), "JPEG"))
    assert full.mode == "CMYK" and thumb.mode == "RGB" and thumb.size == (320, 80)
    grey16 = Image.new("I;16", (100, 400), 40000)
    result, full, thumb = run(tmp_path, encoded(grey16, "PNG"))
    assert thumb.mode == "L" and thumb.size == (80, 320) and 140 < thumb.getpixel((0, 0)) < 170


def test_small_images_are_not_enlarged(tmp_path):
    _, _, thumb = run(tmp_path, encoded(Image.new("RGB", (100, 60), "red"), "PNG"))
    assert thumb.size == (100, 60)


@pytest.mark.parametrize("data", [
    encoded(Image.new("RGB", (10, 10)), "GIF"),
    encoded(Image.new("RGB", (10, 10)), "BMP"),
    encoded(Image.new("RGB", (10, 10)), "TIFF"),
    b"",
    b"\xff\xd8\xff\xe0 not really a jpeg",
])
def test_other_formats_and_garbage_are_415(tmp_path, data):
    with pytest.raises(UnsupportedMediaType):
        run(tmp_path, data)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["upload"], "no temporary file is left behind"


def test_pixel_limit_comes_from_the_header(tmp_path):
    with pytest.raises(TooLarge):
        run(tmp_path, huge_png(10_000, 5_000))
    with pytest.raises(TooLarge):
        run(tmp_path, huge_png(9_000, 5_000))  # between the limit and Pillow's own guard at twice it
    with pytest.raises(TooLarge):
        run(tmp_path, encoded(Image.new("RGB", (100, 100)), "PNG"), max_pixels=9_999)
    result, _, _ = run(tmp_path, huge_png(2_000, 1_000))
    assert (result.width, result.height) == (2_000, 1_000)


def test_hash_is_checked_before_anything_else(tmp_path):
    src = tmp_path / "upload"
    src.write_bytes(b"not even an image")
    with pytest.raises(ChecksumMismatch):
        process_upload(src, "0" * 64, 40_000_000, lambda: tmp_path / "t.tmp")
