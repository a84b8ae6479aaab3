"""msgspec Structs that cross the HTTP boundary for accounts and health."""

from __future__ import annotations

from typing import Annotated

import msgspec

# PostgreSQL cannot store NUL in text: text that reaches the database refuses it, so such input is a
# 400 naming the field, not a database error.
NO_NUL = r"^[^\x00]*$"
Text200 = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
Ident = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=NO_NUL)]


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=NO_NUL)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
    device_name: Annotated[str, msgspec.Meta(max_length=200, pattern=NO_NUL)] = "device"
    # A phone signing in again after its token expired keeps its device, so its queued edits
    # stay its own (a device never conflicts with itself). Ignored unless it is this user's
    # own device and was not revoked.
    device_id: Annotated[str, msgspec.Meta(max_length=64, pattern=NO_NUL)] | None = None


class UserOut(msgspec.Struct):
    id: str
    username: str
    display_name: str
    role: str
    area_ids: list[str]


class LoginResponse(msgspec.Struct):
    token: str
    device_id: str
    user: UserOut
    expires_at: str


class AreaOut(msgspec.Struct):
    id: str
    parent_id: str | None
    kind: str
    name: str
    code: str


class MeResponse(msgspec.Struct):
    user: UserOut
    device_id: str
    areas: list[AreaOut]
    scope_area_ids: list[str]


class DeviceOut(msgspec.Struct):
    id: str
    user_id: str
    username: str
    name: str
    created_at: str
    last_seen_at: str
    expires_at: str
    revoked_at: str | None


class DeviceList(msgspec.Struct):
    devices: list[DeviceOut]


class Health(msgspec.Struct):
    status: str
    version: str
