"""Supervisor reports and exports (sync-protocol.md section 7); supervisors and admins, scope-filtered."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import QueryParameter

from server.auth import Principal, supervisors_only
from server.errors import BadRequest
from server.services import exports, reports

AreaParam = Annotated[str | None, QueryParameter(name="area_id", description="report on this area's subtree")]
FromParam = Annotated[str | None, QueryParameter(name="from", description="first day, YYYY-MM-DD (inclusive)")]
ToParam = Annotated[str | None, QueryParameter(name="to", description="last day, YYYY-MM-DD (inclusive)")]
LabelsParam = Annotated[str, QueryParameter(name="labels", description="zh: Chinese headers and words; codes: keys")]
GEOJSON = "application/geo+json"


class WorkerVisits(msgspec.Struct):
    user_id: str | None
    name: str
    visits: int
    households: int


class AreaCoverage(msgspec.Struct):
    area_id: str
    name: str
    code: str
    kind: str
    households: int
    visited: int
    coverage: float
    visits_by_worker: list[WorkerVisits]


class CoverageTotal(msgspec.Struct):
    households: int
    visited: int
    coverage: float


class CoverageReport(msgspec.Struct):
    areas: list[AreaCoverage]
    total: CoverageTotal


class WeekTrend(msgspec.Struct):
    week: str
    start: str
    found: int
    resolved: int


class Summary(msgspec.Struct):
    area_id: str | None
    total: int
    resolved: int
    resolution_rate: float
    resolution_target: float
    overdue: int
    followups_due: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    by_risk: dict[str, int]
    today: str
    weekly: list[WeekTrend]


def _codes(labels: str) -> bool:
    if labels not in ("zh", "codes"):
        raise BadRequest(f"labels must be zh or codes, got {labels!r}")
    return labels == "codes"


def _file(table: exports.Table, fmt: str, codes: bool, stem: str) -> Response[bytes]:
    content, media_type = exports.render(table, fmt, codes)
    return Response(content=content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"',
                             "Cache-Control": "no-store"})


def _stem(name: str, window: tuple[date | None, date | None]) -> str:
    return "-".join([name, *(d.isoformat() for d in window if d)])


class ReportController(Controller):
    path = "/api"
    tags = ["reports"]
    guards = [supervisors_only]

    @get("/reports/coverage")
    async def coverage(self, request: Request[Principal, str, State], state: State, area_id: AreaParam = None,
                       from_: FromParam = None, to: ToParam = None) -> CoverageReport:
        """Households and households visited in [from, to], per child area of area_id (or my top areas)."""
        window = reports.parse_window(from_, to)
        async with state.db.read() as session:
            out = await reports.coverage(session, request.user, area_id, *window)
        return msgspec.convert(out, CoverageReport)

    @get("/reports/coverage.geojson", media_type=GEOJSON)
    async def coverage_map(self, request: Request[Principal, str, State], state: State, area_id: AreaParam = None,
                           from_: FromParam = None, to: ToParam = None) -> dict[str, Any]:
        """One Point per household with coordinates; properties id, visited, latest outcome, area_id."""
        window = reports.parse_window(from_, to)
        async with state.db.read() as session:
            return await reports.coverage_points(session, request.user, area_id, *window)

    @get("/areas/geojson", media_type=GEOJSON)
    async def area_map(self, request: Request[Principal, str, State], state: State, area_id: AreaParam = None,
                       from_: FromParam = None, to: ToParam = None) -> dict[str, Any]:
        """Area boundaries with each area's coverage in [from, to], for shading the map."""
        window = reports.parse_window(from_, to)
        async with state.db.read() as session:
            return await reports.area_shapes(session, request.user, area_id, *window)

    @get("/reports/summary")
    async def summary(self, request: Request[Principal, str, State], state: State, area_id: AreaParam = None,
                      weeks: Annotated[int, QueryParameter(ge=1, le=104)] = 12) -> Summary:
        """Dispute counts by status, category and risk; resolution rate and target; overdue; follow-ups due."""
        async with state.db.read() as session:
            out = await reports.summary(session, request.user, area_id, state.settings.resolution_target, weeks)
        return msgspec.convert(out, Summary)

    @get(["/exports/disputes.csv", "/exports/disputes.xlsx"], media_type="application/octet-stream")
    async def disputes(self, request: Request[Principal, str, State], state: State, area_id: AreaParam = None,
                       labels: LabelsParam = "zh") -> Response[bytes]:
        """The dispute ledger, one row per dispute: disputes.csv (UTF-8 with BOM) or disputes.xlsx."""
        fmt, codes = _format(request), _codes(labels)
        async with state.db.read() as session:
            table = await exports.dispute_ledger(session, request.user, area_id, codes=codes)
        return _file(table, fmt, codes, "disputes")

    @get(["/exports/statistics.csv", "/exports/statistics.xlsx"], media_type="application/octet-stream")
    async def statistics(self, request: Request[Principal, str, State], state: State, area_id: AreaParam = None,
                         from_: FromParam = None, to: ToParam = None, labels: LabelsParam = "zh") -> Response[bytes]:
        """The periodic statistics table per area for [from, to]: statistics.csv or statistics.xlsx."""
        fmt, codes, window = _format(request), _codes(labels), reports.parse_window(from_, to)
        async with state.db.read() as session:
            table = await exports.statistics(session, request.user, area_id, *window)
        return _file(table, fmt, codes, _stem("statistics", window))


def _format(request: Request) -> str:
    # One handler serves both file names; the extension picks the format.
    return "xlsx" if request.url.path.endswith(".xlsx") else "csv"
