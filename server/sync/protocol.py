"""Push, pull and conflict Structs, exactly as sync-protocol.md sections 3 to 5 name them.

The field schema of each collection lives in ``server.sync.fields`` and is re-exported here.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from server.schemas import NO_NUL, Ident
from server.sync.fields import (  # noqa: F401
    CATEGORIES,
    OUTCOMES,
    RISKS,
    SCHEMAS,
    STATUSES,
    Field,
    FieldError,
)

MAX_MUTATIONS = 1000
MAX_PUSH_BYTES = 8 * 1024 * 1024
DEFAULT_PULL_LIMIT = 500
MAX_PULL_LIMIT = 2000

# PostgreSQL cannot store a version beyond its integer: such input is a 400, not a database error.
Version = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]
OPS = ("create", "update")
STATUS_APPLIED, STATUS_CONFLICT, STATUS_REJECTED = "applied", "conflict", "rejected"


class MutationIn(msgspec.Struct):
    """One change a device made: create a record, or update some of its fields from ``base_version``."""

    id: Ident
    collection: Annotated[str, msgspec.Meta(max_length=16, pattern=NO_NUL)]
    record_id: Ident
    op: Annotated[str, msgspec.Meta(max_length=8, pattern=NO_NUL)]
    base_version: Version | None = None
    fields: dict[str, Any] = msgspec.field(default_factory=dict)
    # The device's clock: kept for display only; ordering is the server's.
    at: Annotated[str, msgspec.Meta(max_length=40, pattern=NO_NUL)] | None = None


class MutationResult(msgspec.Struct):
    """What became of one mutation: ``applied``, ``conflict`` or ``rejected``."""

    id: str
    status: str
    record_id: str
    version: int | None = None
    replayed: bool = False
    conflicts: list[dict[str, Any]] = msgspec.field(default_factory=list)
    error: dict[str, Any] | None = None


class PushRequest(msgspec.Struct):
    mutations: list[MutationIn]
    # The token already names the device; the body's copy is accepted and not trusted.
    device_id: str | None = None


class PushResponse(msgspec.Struct):
    results: list[MutationResult]
    server_time: str


class ChangeOut(msgspec.Struct):
    collection: str
    record: dict[str, Any]


class PullResponse(msgspec.Struct):
    changes: list[ChangeOut]
    cursor: str
    has_more: bool
    reset: bool = False


class ConflictOut(msgspec.Struct):
    id: str
    collection: str
    record_id: str
    field: str
    base: Any
    server: Any
    client: Any
    mutation_id: str
    device_id: str | None
    user_id: str
    created_at: str
    status: str
    resolved_by: str | None = None
    resolved_at: str | None = None
    resolved_value: Any = None
    # Who and which device in words, for the supervisor's inbox (ids alone mean nothing to a person).
    user_name: str | None = None
    device_name: str | None = None


class ConflictList(msgspec.Struct):
    conflicts: list[ConflictOut]
    # Oldest first; when has_more, ask again with this cursor for the next page.
    cursor: str | None = None
    has_more: bool = False


class ResolveRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The value to write into the conflicting field (any value the field accepts, null included)."""

    value: Any


class ResolveResponse(msgspec.Struct):
    conflict: ConflictOut
    record: dict[str, Any]
