"""The area tree as admins manage it: the tree with counts, new areas, and boundary GeoJSON."""

from __future__ import annotations

import math
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import Principal
from server.clock import utcnow
from server.errors import BadRequest, Conflict, NotFound
from server.models import Area, AuditEntry, Dispute, Household
from server.services.reports import OPEN, frame

# A child sits below its parent: town > village or community > grid.
RANK = {"town": 0, "village": 1, "community": 1, "grid": 2}
MAX_POSITIONS = 100_000


async def tree(session: AsyncSession, principal: Principal) -> list[dict[str, Any]]:
    """The caller's top areas with everything below them; counts are over each node's whole subtree."""
    f = await frame(session, principal, None)
    live = (Household.archived.isnot(True),)
    households = dict((await session.execute(select(Household.area_id, func.count()).where(
        f.clause(Household.area_id), *live).group_by(Household.area_id))).all())
    disputes: dict[str | None, list[int]] = {}
    for area_id, status, n in await session.execute(
            select(Dispute.area_id, Dispute.status, func.count()).where(
                f.clause(Dispute.area_id), Dispute.archived.isnot(True)).group_by(Dispute.area_id, Dispute.status)):
        slot = disputes.setdefault(area_id, [0, 0])
        slot[0] += n
        slot[1] += n if status in OPEN else 0
    children: dict[str | None, list[Area]] = {}
    for area in f.areas.values():
        children.setdefault(area.parent_id, []).append(area)

    def node(area: Area) -> dict[str, Any]:
        kids = [node(c) for c in sorted(children.get(area.id, []), key=lambda a: a.code)]
        own = disputes.get(area.id, [0, 0])
        return {"id": area.id, "parent_id": area.parent_id, "kind": area.kind, "name": area.name,
                "code": area.code, "has_boundary": area.boundary is not None,
                "households": households.get(area.id, 0) + sum(k["households"] for k in kids),
                "disputes": own[0] + sum(k["disputes"] for k in kids),
                "open_disputes": own[1] + sum(k["open_disputes"] for k in kids), "children": kids}

    return [node(r) for r in f.rows]


def summary(area: Area) -> dict[str, Any]:
    return {"id": area.id, "parent_id": area.parent_id, "kind": area.kind, "name": area.name, "code": area.code,
            "boundary": area.boundary}


def _audit(session: AsyncSession, principal: Principal, action: str, area: Area) -> None:
    session.add(AuditEntry(at=utcnow(), user_id=principal.user_id, device_id=principal.device_id, action=action,
                           collection="areas", record_id=area.id, version=None,
                           detail={"code": area.code, "name": area.name}))


async def create(session: AsyncSession, principal: Principal, parent_id: str | None, kind: str, name: str,
                 code: str, boundary: Any = None) -> dict[str, Any]:
    if kind not in RANK:
        raise BadRequest(f"kind must be one of {', '.join(RANK)}, got {kind!r}")
    if parent_id is None:
        if kind != "town":
            raise BadRequest("parent_id: only a town may have no parent")
    else:
        parent = await session.get(Area, parent_id)
        if parent is None:
            raise BadRequest(f"parent_id: no area {parent_id}")
        if RANK[kind] <= RANK.get(parent.kind, 0):
            raise BadRequest(f"kind: a {kind} cannot sit under a {parent.kind}")
    if await session.scalar(select(Area.id).where(Area.code == code)):
        raise Conflict(f"The area code {code!r} is taken; choose another.")
    area = Area(id=str(uuid.uuid4()), parent_id=parent_id, kind=kind, name=name, code=code,
                boundary=None if boundary is None else check_boundary(boundary), created_at=utcnow())
    session.add(area)
    _audit(session, principal, "area.create", area)
    await session.flush()
    return summary(area)


async def set_boundary(session: AsyncSession, principal: Principal, area_id: str, geojson: Any) -> dict[str, Any]:
    area = await session.get(Area, area_id)  # a NUL in the address was refused before (app._refuse_nul)
    if area is None:
        raise NotFound(f"No area {area_id!r}.")
    area.boundary = check_boundary(geojson)
    _audit(session, principal, "area.boundary", area)
    await session.flush()
    return summary(area)


def check_boundary(geojson: Any) -> dict[str, Any]:
    """A GeoJSON Polygon or MultiPolygon (bare, or in a Feature, or the only feature of a collection),
    checked: closed rings of at least four positions, longitude -180..180, latitude -90..90."""
    geometry = geojson
    if isinstance(geometry, dict) and geometry.get("type") == "FeatureCollection":
        features = geometry.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise BadRequest("boundary: a FeatureCollection must hold exactly one feature")
        geometry = features[0]
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        raise BadRequest(f"boundary: type must be Polygon or MultiPolygon, got {kind!r}")
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    where = "coordinates" if geometry["type"] == "Polygon" else None
    if not isinstance(polygons, list) or not polygons:
        raise BadRequest("boundary: coordinates must be a non-empty list")
    count = 0
    for p, polygon in enumerate(polygons):
        path = where or f"coordinates[{p}]"
        if not isinstance(polygon, list) or not polygon:
            raise BadRequest(f"boundary: {path} must be a non-empty list of linear rings")
        for r, ring in enumerate(polygon):
            count += _check_ring(ring, f"{path}[{r}]")
            if count > MAX_POSITIONS:
                raise BadRequest(f"boundary: more than {MAX_POSITIONS} positions; simplify the shape")
    return {"type": geometry["type"], "coordinates": coordinates}


def _check_ring(ring: Any, path: str) -> int:
    if not isinstance(ring, list) or len(ring) < 4:
        raise BadRequest(f"boundary: {path} must be a ring of at least 4 positions")
    for i, position in enumerate(ring):
        if (not isinstance(position, list) or len(position) not in (2, 3)
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                           for v in position)):
            raise BadRequest(f"boundary: {path}[{i}] must be [longitude, latitude]")
        lon, lat = position[0], position[1]
        if not -180 <= lon <= 180:
            raise BadRequest(f"boundary: {path}[{i}] longitude {lon} is outside -180..180")
        if not -90 <= lat <= 90:
            raise BadRequest(f"boundary: {path}[{i}] latitude {lat} is outside -90..90")
    if ring[0][:2] != ring[-1][:2]:
        raise BadRequest(f"boundary: {path} is not closed: its last position must equal its first")
    return len(ring)
