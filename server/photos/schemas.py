"""msgspec Structs that cross the HTTP boundary for photos."""

from __future__ import annotations

from typing import Annotated

import msgspec

Sha256 = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$", description="SHA-256 of the photo, lowercase hex")]
MAX_IDS = 1000


class MissingRequest(msgspec.Struct, forbid_unknown_fields=True):
    ids: Annotated[list[Sha256], msgspec.Meta(max_length=MAX_IDS)]


class MissingResponse(msgspec.Struct):
    missing: list[str]
