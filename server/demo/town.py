"""The demo town's area tree, grid boundaries and households (pure: no I/O, same output every time).

青石镇 is a made-up town in the hills of western Zhejiang. Each village is a rectangle cut
into a lattice of grid cells; the lattice's inner points are jittered so grids look drawn by
hand, and since neighbouring cells share those points the grids still tile their village.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from server.demo.names import cn_number, person_name

TOWN_CODE, TOWN_NAME = "QSZ", "青石镇"


@dataclass(frozen=True)
class VillagePlan:
    code: str
    name: str
    kind: str
    south_west: tuple[float, float]  # (lon, lat)
    size: tuple[float, float]  # (degrees of lon, degrees of lat)
    cols: int
    rows: int
    clans: str
    streets: tuple[str, ...] = ()  # a community's grids are streets rather than village groups


VILLAGES = (
    VillagePlan("QSZ-QS", "青石村", "village", (119.812, 29.921), (0.0135, 0.0090), 3, 2, "陈王"),
    VillagePlan("QSZ-LX", "柳溪村", "village", (119.830, 29.918), (0.0180, 0.0095), 4, 2, "柳周李"),
    VillagePlan("QSZ-SQ", "石桥社区", "community", (119.817, 29.934), (0.0100, 0.0060), 3, 2, "",
                ("石桥路", "新华街", "文昌路", "桂花巷", "学前街", "南塘路")),
)


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    boundary: dict[str, Any] | None


@dataclass(frozen=True)
class HouseholdSpec:
    key: str  # stable name the record id is derived from
    grid: str  # grid code
    address: str
    head_name: str
    lat: float
    lon: float


def _polygon(ring: list[tuple[float, float]]) -> dict[str, Any]:
    """A GeoJSON Polygon; the exterior ring runs counter-clockwise and is closed (RFC 7946)."""
    coords = [[round(lon, 6), round(lat, 6)] for lon, lat in ring]
    return {"type": "Polygon", "coordinates": [coords + [coords[0]]]}


def _lattice(plan: VillagePlan, rng: random.Random) -> list[list[tuple[float, float]]]:
    """(cols+1) x (rows+1) corner points, indexed [row][col], row 0 in the south."""
    (lon0, lat0), (dlon, dlat) = plan.south_west, plan.size
    cw, ch = dlon / plan.cols, dlat / plan.rows
    points = []
    for r in range(plan.rows + 1):
        row = []
        for c in range(plan.cols + 1):
            lon, lat = lon0 + c * cw, lat0 + r * ch
            # Jitter below a sixth of a cell keeps every cell a convex quadrilateral.
            if 0 < c < plan.cols:
                lon += rng.uniform(-0.15, 0.15) * cw
            if 0 < r < plan.rows:
                lat += rng.uniform(-0.15, 0.15) * ch
            row.append((lon, lat))
        points.append(row)
    return points


def _outline(points: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    rows, cols = len(points) - 1, len(points[0]) - 1
    south = [points[0][c] for c in range(cols + 1)]
    east = [points[r][cols] for r in range(1, rows + 1)]
    north = [points[rows][c] for c in range(cols - 1, -1, -1)]
    west = [points[r][0] for r in range(rows - 1, 0, -1)]
    return south + east + north + west


def _inside(quad: list[tuple[float, float]], u: float, v: float) -> tuple[float, float]:
    """Bilinear point of a convex quad (SW, SE, NE, NW) at u, v in [0, 1]: always inside it."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
    x = (1 - u) * (1 - v) * x0 + u * (1 - v) * x1 + u * v * x2 + (1 - u) * v * x3
    y = (1 - u) * (1 - v) * y0 + u * (1 - v) * y1 + u * v * y2 + (1 - u) * v * y3
    return x, y


def build_town(seed: int) -> tuple[list[AreaSpec], list[HouseholdSpec]]:
    """Areas (parents before children) and households for the whole town."""
    rng = random.Random(seed)
    areas: list[AreaSpec] = []
    households: list[HouseholdSpec] = []
    lons = [v.south_west[0] for v in VILLAGES] + [v.south_west[0] + v.size[0] for v in VILLAGES]
    lats = [v.south_west[1] for v in VILLAGES] + [v.south_west[1] + v.size[1] for v in VILLAGES]
    w, s, e, n = min(lons) - 0.003, min(lats) - 0.003, max(lons) + 0.003, max(lats) + 0.003
    areas.append(AreaSpec(TOWN_CODE, TOWN_NAME, "town", None, _polygon([(w, s), (e, s), (e, n), (w, n)])))
    for plan in VILLAGES:
        points = _lattice(plan, rng)
        areas.append(AreaSpec(plan.code, plan.name, plan.kind, TOWN_CODE, _polygon(_outline(points))))
        number = 0
        for r in range(plan.rows):
            for c in range(plan.cols):
                number += 1
                quad = [points[r][c], points[r][c + 1], points[r + 1][c + 1], points[r + 1][c]]
                code = f"{plan.code}-G{number}"
                areas.append(AreaSpec(code, f"{plan.name}第{cn_number(number)}网格", "grid", plan.code,
                                      _polygon(quad)))
                households += _households(plan, code, number, quad, rng)
    return areas, households


def _households(plan: VillagePlan, grid: str, number: int, quad: list[tuple[float, float]],
                rng: random.Random) -> list[HouseholdSpec]:
    out = []
    door = 0
    for i in range(rng.randint(18, 30)):
        door += rng.choice((1, 1, 2, 3))  # house numbers skip where a plot is empty or merged
        if plan.streets:
            address = f"{TOWN_NAME}{plan.name}{plan.streets[number - 1]}{door}号"
        else:
            address = f"{TOWN_NAME}{plan.name}{number}组{door}号"
        lon, lat = _inside(quad, rng.uniform(0.06, 0.94), rng.uniform(0.06, 0.94))
        out.append(HouseholdSpec(f"{grid}/{i + 1:02d}", grid, address, person_name(rng, plan.clans),
                                 round(lat, 6), round(lon, 6)))
    return out
