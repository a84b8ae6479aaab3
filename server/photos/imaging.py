"""Pillow work on a finished upload: hash, validate, clean and thumbnail.

Plain blocking functions: callers run them in a worker thread, never on the event loop.
Nothing the client sent survives but pixels (and the ICC colour profile, which says how to
read them): EXIF with GPS, XMP, comments and any bytes appended after the image are gone.
An upright JPEG keeps its compressed data byte for byte with the metadata segments cut out
(no second lossy encode, see jpegstrip.py); every other image, and a JPEG that has to be
turned, is re-encoded from decoded pixels.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, JpegImagePlugin

from server.errors import ChecksumMismatch, TooLarge, UnsupportedMediaType
from server.photos.jpegstrip import strip_jpeg

MIME = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Only these openers are tried, so no other Pillow parser ever sees client bytes (MPO, the
# multi-picture JPEG many phones write, is found by the JPEG opener).
OPEN_FORMATS = ("JPEG", "PNG", "WEBP")
THUMB_EDGE = 320
THUMB_QUALITY = 80
WEBP_QUALITY = 90
HASH_CHUNK = 1024 * 1024
ORIENTATION = 0x0112

# Pillow warns between MAX_IMAGE_PIXELS and twice that; we refuse those images ourselves with a
# 413 before decoding, so the warning says nothing new.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


@dataclass(frozen=True)
class Processed:
    """A validated, cleaned photo waiting in temporary files to be put in the store."""

    sha256: str
    size: int
    stored_size: int
    width: int
    height: int
    mime: str
    full: Path
    thumb: Path


def sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(HASH_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def process_upload(src: Path, declared_sha256: str, max_pixels: int, temp_path: Callable[[], Path]) -> Processed:
    """Check ``src`` against its declared hash and the accepted formats, then write the cleaned
    image and its thumbnail to temporary files. Raises 460, 413 or 415 errors; on any error no
    temporary file is left behind."""
    digest, size = sha256_file(src)
    if digest != declared_sha256:
        raise ChecksumMismatch(
            f"The bytes received hash to {digest}, not to the declared sha256 {declared_sha256}; upload again."
        )
    full, thumb = temp_path(), temp_path()
    try:
        with _open_checked(src, max_pixels) as img:
            fmt = "JPEG" if img.format == "MPO" else img.format
            mime = MIME[img.format]
            if fmt == "JPEG" and _orientation(img) == 1:
                size_on_disk = _store_stripped(src, full, thumb)
                if size_on_disk is not None:
                    return Processed(digest, size, full.stat().st_size, *size_on_disk, mime, full, thumb)
            _decode(img)
            encoder_args = _encoder_args(img, fmt)
            icc = img.info.get("icc_profile") or None
            transparency = img.info.get("transparency") if fmt == "PNG" else None
            _apply_orientation(img)
            make_thumbnail(img, thumb, icc)
            # Everything left in info would be copied into the new file (JPEG comments, for one).
            img.info = {}
            _save_clean(img, fmt, full, icc, transparency, encoder_args)
            width, height = img.size
        return Processed(digest, size, full.stat().st_size, width, height, mime, full, thumb)
    except BaseException:
        full.unlink(missing_ok=True)
        thumb.unlink(missing_ok=True)
        raise


def _orientation(img: Image.Image) -> int:
    try:
        return int(img.getexif().get(ORIENTATION) or 1)
    except Exception:
        return 1  # unreadable EXIF: treated as upright, as the re-encode path does


def _store_stripped(src: Path, full: Path, thumb: Path) -> tuple[int, int] | None:
    """An upright JPEG keeps its encoded bytes minus metadata; None means re-encode instead.

    The stripped file, not the upload, is what gets decoded: what is validated is what is stored.
    """
    stripped = strip_jpeg(src.read_bytes())
    if stripped is None:
        return None
    full.write_bytes(stripped)
    try:
        with Image.open(full, formats=("JPEG",)) as clean:
            clean.load()
            make_thumbnail(clean, thumb, clean.info.get("icc_profile") or None)
            return clean.size
    except Exception:
        return None


def _open_checked(src: Path, max_pixels: int) -> Image.Image:
    """Open from the header only and refuse what we will not decode."""
    # Pillow's own bomb guard then stops anything at twice our limit on every code path.
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        img = Image.open(src, formats=OPEN_FORMATS)
    except Image.DecompressionBombError:
        raise TooLarge(f"The image has more than {max_pixels / 1e6:g} megapixels.") from None
    except Exception:
        raise UnsupportedMediaType("The bytes are not a JPEG, PNG or WebP image.") from None
    width, height = img.size
    if img.format not in MIME:
        img.close()
        raise UnsupportedMediaType(f"{img.format} images are not accepted; send JPEG, PNG or WebP.")
    if width * height > max_pixels:
        img.close()
        raise TooLarge(
            f"The image is {width}x{height} ({width * height / 1e6:.1f} megapixels); "
            f"at most {max_pixels / 1e6:g} megapixels are accepted."
        )
    if width < 1 or height < 1:
        img.close()
        raise UnsupportedMediaType("The image has no pixels.")
    return img


def _decode(img: Image.Image) -> None:
    try:
        img.load()
    except Image.DecompressionBombError:
        raise TooLarge("The image has too many pixels.") from None
    except Exception:
        # Pillow reports truncated and corrupt data with many exception types; all mean the same here.
        raise UnsupportedMediaType("The image is truncated or corrupt.") from None


def _encoder_args(img: Image.Image, fmt: str) -> dict:
    if fmt == "JPEG":
        # The phone's own quantisation tables and chroma subsampling: re-encoding changes
        # neither the quality nor the size the phone chose.
        qtables = getattr(img, "quantization", None)
        sampling = JpegImagePlugin.get_sampling(img)
        if qtables and img.mode in ("L", "RGB", "CMYK"):
            args: dict = {"qtables": qtables}
            if sampling >= 0:
                args["subsampling"] = sampling
            return args
        return {"quality": 90}
    if fmt == "WEBP":
        return {"quality": WEBP_QUALITY}
    return {}


def _apply_orientation(img: Image.Image) -> None:
    try:
        ImageOps.exif_transpose(img, in_place=True)
    except Exception:
        # A malformed EXIF block must not cost the photo: keep the pixels as they are.
        return


def _save_clean(img: Image.Image, fmt: str, dest: Path, icc: bytes | None, transparency: Any,
                args: dict) -> None:
    if icc:
        args["icc_profile"] = icc
    if transparency is not None:
        args["transparency"] = transparency
    try:
        img.save(dest, format=fmt, **args)
    except Exception:
        raise UnsupportedMediaType("The image could not be re-encoded; send a plain JPEG, PNG or WebP.") from None


def make_thumbnail(img: Image.Image, dest: Path, icc: bytes | None = None) -> tuple[int, int]:
    """Write a JPEG of at most THUMB_EDGE px on the long edge from decoded pixels."""
    try:
        original_mode = img.mode
        rgb = _thumb_mode(img)
        width, height = rgb.size
        scale = THUMB_EDGE / max(width, height)
        if scale < 1:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            # reducing_gap=1 averages whole blocks of pixels down to the target (a box filter, the
            # same idea as JPEG draft mode) and resamples only the remainder: 2 ms instead of 14
            # for a 1600 px photo, and at 320 px the box filter's softness does not show.
            rgb = rgb.resize(size, Image.Resampling.BICUBIC, reducing_gap=1.0)
        if rgb.mode == "RGBA":
            rgb = _on_white(rgb)
        if rgb is img:
            rgb = img.copy()
        rgb.info = {}  # the source's comments and EXIF would otherwise be copied in
        args: dict = {"quality": THUMB_QUALITY}
        if icc and _same_colour_space(original_mode, rgb.mode):
            args["icc_profile"] = icc
        rgb.save(dest, format="JPEG", **args)
        return rgb.size
    except Exception:
        raise UnsupportedMediaType("The image could not be thumbnailed; send a plain JPEG, PNG or WebP.") from None


def _thumb_mode(img: Image.Image) -> Image.Image:
    """Pixels in L, RGB or RGBA, so resizing interpolates (palette images would only pick)."""
    mode = img.mode
    if mode in ("L", "RGB", "RGBA"):
        return img
    if mode in ("LA", "PA", "La", "RGBa") or (mode == "P" and "transparency" in img.info):
        return img.convert("RGBA")
    if mode.startswith("I") or mode == "F":
        # 16-bit and float greyscale: bring the range down to 8 bits before converting.
        return img.convert("I").point(lambda v: v / 256).convert("L")
    return img.convert("RGB")


def _on_white(img: Image.Image) -> Image.Image:
    background = Image.new("RGB", img.size, (255, 255, 255))
    background.paste(img, mask=img.getchannel("A"))
    return background


def _same_colour_space(original_mode: str, thumb_mode: str) -> bool:
    if original_mode in ("CMYK", "YCbCr", "LAB"):
        return False
    grey_source = original_mode in ("1", "L", "LA", "La", "F") or original_mode.startswith("I")
    return grey_source == (thumb_mode == "L")
