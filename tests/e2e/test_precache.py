"""The service worker's precache lists every file of the app shell, and its
VERSION changes whenever one of them does (else phones keep the old app)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

PWA = Path(__file__).resolve().parents[2] / "pwa"


def _sw() -> str:
    return (PWA / "sw.js").read_text(encoding="utf-8")


def _precache() -> list[str]:
    sw = _sw()
    block = sw[sw.index("const PRECACHE = ["):]
    return re.findall(r"'(/[^']*)'", block[: block.index("];")])


def shell_hash() -> str:
    digest = hashlib.sha256()
    for url in _precache():
        if url == "/":
            continue
        digest.update(url.encode() + b"\0" + (PWA / url.lstrip("/")).read_bytes())
    return digest.hexdigest()[:10]


def test_every_shell_file_is_precached():
    listed = set(_precache())
    assert "/" in listed and "/index.html" in listed
    missing = [u for u in listed if u != "/" and not (PWA / u.lstrip("/")).is_file()]
    assert missing == []
    on_disk = {
        "/" + str(p.relative_to(PWA))
        for folder in ("js", "css", "i18n", "icons")
        for p in (PWA / folder).rglob("*")
        if p.is_file()
    }
    assert sorted(on_disk - listed) == []


def test_version_follows_the_shell():
    version = re.search(r"const VERSION = '([^']+)'", _sw()).group(1)
    expected = shell_hash()
    assert version.endswith(expected), f"set VERSION in pwa/sw.js to 'v1-{expected}'"
