"""Admin and supervisor tools: the area tree and boundaries, case management, the register import."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from server import schemas
from server.schemas import Ident, Text200
from server.auth import Principal, admins_only, supervisors_only
from server.errors import UnsupportedMediaType
from server.services import area_admin, cases, imports

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Kind = Annotated[str, msgspec.Meta(pattern=r"^(town|village|community|grid)$")]
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "application/octet-stream")


class AreaNode(msgspec.Struct):
    id: str
    parent_id: str | None
    kind: str
    name: str
    code: str
    has_boundary: bool
    households: int
    disputes: int
    open_disputes: int
    children: list[AreaNode]


class AreaTreeOut(msgspec.Struct):
    areas: list[AreaNode]


class AreaIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: Kind
    name: Text200
    code: Code
    parent_id: Ident | None = None
    boundary: dict[str, Any] | None = None


class AreaOut(schemas.AreaOut):
    boundary: dict[str, Any] | None


class CaseChanges(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    office: Text200 | None | msgspec.UnsetType = msgspec.UNSET
    assignee_id: Ident | None | msgspec.UnsetType = msgspec.UNSET
    deadline: Ident | None | msgspec.UnsetType = msgspec.UNSET
    status: str | msgspec.UnsetType = msgspec.UNSET
    followup_class: int | None | msgspec.UnsetType = msgspec.UNSET


class BulkIn(msgspec.Struct, forbid_unknown_fields=True):
    ids: Annotated[list[Ident], msgspec.Meta(min_length=1, max_length=1000)]
    set: CaseChanges


class CaseResult(msgspec.Struct):
    id: str
    status: str
    version: int | None
    conflicts: list[dict[str, Any]]
    error: dict[str, Any] | None
    followups: list[str]


class BulkOut(msgspec.Struct):
    results: list[CaseResult]


class RejectedRow(msgspec.Struct):
    row: int
    errors: list[str]


class ImportOut(msgspec.Struct):
    rows: int
    applied: int
    unchanged: int
    rejected: list[RejectedRow]


class AreaController(Controller):
    path = "/api/areas"
    tags = ["areas"]

    @get("/", guards=[supervisors_only])
    async def tree(self, request: Request[Principal, str, State], state: State) -> AreaTreeOut:
        """My areas as a tree, each with households, disputes and open disputes below it."""
        async with state.db.read() as session:
            return AreaTreeOut(msgspec.convert(await area_admin.tree(session, request.user), list[AreaNode]))

    @post("/", guards=[admins_only])
    async def create(self, request: Request[Principal, str, State], state: State,
                     data: JSONBody[AreaIn]) -> AreaOut:
        """Create an area under a parent (a town needs none), optionally with its boundary."""
        async with state.db.write() as session:
            out = await area_admin.create(session, request.user, data.parent_id, data.kind, data.name, data.code,
                                          data.boundary)
        return msgspec.convert(out, AreaOut)

    @put("/{area_id:str}/boundary", guards=[admins_only])
    async def boundary(self, request: Request[Principal, str, State], state: State, area_id: FromPath[str],
                       data: JSONBody[dict[str, Any]]) -> AreaOut:
        """Set an area's boundary: a GeoJSON Polygon or MultiPolygon (or a Feature holding one)."""
        async with state.db.write() as session:
            out = await area_admin.set_boundary(session, request.user, area_id, data)
        return msgspec.convert(out, AreaOut)


class CaseController(Controller):
    path = "/api/disputes"
    tags = ["cases"]

    @post("/bulk", guards=[supervisors_only], status_code=200)
    async def bulk(self, request: Request[Principal, str, State], state: State, data: JSONBody[BulkIn]) -> BulkOut:
        """Set office, assignee, deadline, status or follow-up class on one or many disputes; resolving a
        case schedules its follow-up visit. One result per id, as the sync engine answered it."""
        async with state.db.write() as session:
            out = await cases.bulk_update(session, request.user, data.ids, msgspec.to_builtins(data.set),
                                          state.settings.offices)
        return BulkOut(msgspec.convert(out, list[CaseResult]))


class ImportController(Controller):
    path = "/api/imports"
    tags = ["imports"]

    @post("/households", guards=[admins_only], status_code=200)
    async def households(self, request: Request[Principal, str, State], state: State) -> ImportOut:
        """Import the household register: the body is the CSV file (Content-Type: text/csv)."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type and content_type not in CSV_TYPES:
            raise UnsupportedMediaType(f"Send the register as CSV (Content-Type: text/csv), not {content_type}.")
        report = await imports.import_households(state.db, request.user, await request.body())
        return msgspec.convert(report.as_dict(), ImportOut)
