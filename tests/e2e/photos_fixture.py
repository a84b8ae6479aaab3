"""Camera-like test photos made with Pillow (no files shipped)."""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter


def camera_photo(path: Path, size=(4000, 3000), seed: int = 0) -> Path:
    """A 12 MP JPEG with texture, so it compresses like a real photo of a wall."""
    w, h = size
    base = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    noise = Image.effect_noise((w // 4, h // 4), 40 + seed).resize((w, h)).convert("RGB")
    img = Image.blend(base, noise, 0.35).filter(ImageFilter.GaussianBlur(1))
    draw = ImageDraw.Draw(img)
    for i in range(12):
        x = (i * 331 + seed * 97) % w
        draw.rectangle([x, h // 3, x + w // 10, h // 3 + h // 5], outline=(200, 60 + i * 10, 40), width=18)
    # A random patch makes every photo new to the server, even on a reused one.
    draw.rectangle([0, 0, 63, 63], fill=tuple(os.urandom(3)))
    img.save(path, "JPEG", quality=92)
    return path


def gravel_photo(path: Path, side: int = 1600) -> Path:
    """Per-pixel noise (a close-up of gravel): still over 1 MiB after the phone re-encodes it."""
    img = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    img.save(path, "JPEG", quality=95)
    return path
