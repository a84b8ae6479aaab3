"""The household register import: a CSV of (area, address, head of household, lat, lon) rows, every row
validated, the good ones written through the sync engine as create or update mutations.

A household's id is a uuid5 of its area and normalised address, and a mutation's id a uuid5 of what
it changes, so uploading the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select

from server.auth import Principal
from server.db import Database
from server.errors import BadRequest
from server.models import Area, Household

BATCH = 500
NS = uuid.UUID("0b6c3f3e-2f1d-4a57-8c55-7d8e9a1b2c3d")
REGISTER_FIELDS = ("area_id", "address", "head_name", "lat", "lon")
# Accepted header names per column, compared after _norm_header (case, spaces, _ and - ignored).
HEADERS = {
    "area": ("area", "areacode", "areaname", "code", "grid", "gridcode", "区域", "区域编码", "区域代码", "区域名称",
             "所属区域", "网格", "网格编码", "网格名称", "所属网格"),
    "address": ("address", "地址", "住址", "家庭住址", "门牌", "门牌号", "门牌地址"),
    "head_name": ("headname", "head", "headofhousehold", "householder", "户主", "户主姓名", "户主名"),
    "lat": ("lat", "latitude", "纬度"),
    "lon": ("lon", "lng", "long", "longitude", "经度"),
}
MAX_ADDRESS, MAX_NAME = 500, 200


def _norm_header(text: str) -> str:
    return re.sub(r"[\s_\-()（）]+", "", unicodedata.normalize("NFKC", text)).casefold()


def clean(text: str) -> str:
    """Text as stored: NFKC (full-width digits become ASCII), control characters (NUL, which PostgreSQL
    cannot store, among them) as spaces, and runs of spaces made one."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


def household_key(area_id: str, address: str) -> str:
    """What makes two register rows the same household: the area and the address, case and spacing aside."""
    return f"{area_id}:{''.join(clean(address).casefold().split())}"


def household_id(area_id: str, address: str) -> str:
    """The stable id a register row's household gets when the ledger does not hold it yet."""
    return str(uuid.uuid5(NS, f"household:{household_key(area_id, address)}"))


@dataclass
class Row:
    number: int  # the row as a spreadsheet shows it: the header is row 1
    record_id: str
    fields: dict[str, Any]


@dataclass
class ImportReport:
    rows: int = 0
    applied: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, number: int, errors: list[str]) -> None:
        self.rejected.append({"row": number, "errors": errors})

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "applied": self.applied, "unchanged": self.unchanged,
                "rejected": sorted(self.rejected, key=lambda r: r["row"])}


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else GB18030, which is how Excel in China saves CSV."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadRequest("The file is neither UTF-8 nor GB18030 text; save it as CSV UTF-8.")


def read_csv(text: str) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """(column -> index, [(row number, cells)]) of a register CSV; a 400 when a needed column is missing."""
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise BadRequest(f"The file is not readable as CSV: {exc}") from None
    if not records:
        raise BadRequest("The file is empty; the first row must name the columns.")
    names = {_norm_header(h): column for column, hs in HEADERS.items() for h in hs}
    columns: dict[str, int] = {}
    for index, header in enumerate(records[0]):
        column = names.get(_norm_header(header))
        if column and column not in columns:
            columns[column] = index
    missing = [c for c in ("area", "address") if c not in columns]
    if missing:
        raise BadRequest(f"The header row has no {' or '.join(missing)} column; accepted names: "
                         + "; ".join(f"{c}: {', '.join(HEADERS[c][:4])}" for c in missing))
    rows = [(n, cells) for n, cells in enumerate(records[1:], start=2) if any(c.strip() for c in cells)]
    return columns, rows


class AreaIndex:
    """Finds an area by code, by unique name, or by a path of names such as ``青石村/第二网格``."""

    def __init__(self, areas: Iterable[Area]) -> None:
        self.areas = {a.id: a for a in areas}
        self.by_code = {a.code.casefold(): a.id for a in self.areas.values()}
        self.by_name: dict[str, list[str]] = {}
        for a in self.areas.values():
            self.by_name.setdefault(clean(a.name).casefold(), []).append(a.id)

    def _path(self, area_id: str) -> list[str]:
        names: list[str] = []
        node: str | None = area_id
        while node is not None and node in self.areas and len(names) < 32:
            names.append(clean(self.areas[node].name).casefold())
            node = self.areas[node].parent_id
        return names

    def find(self, text: str) -> tuple[str | None, str | None]:
        """(area id, None) or (None, why not)."""
        key = clean(text).casefold()
        if key in self.by_code:
            return self.by_code[key], None
        parts = [p.strip() for p in re.split(r"[/>＞]", key) if p.strip()]
        candidates = [a for a in self.by_name.get(parts[-1] if parts else "", [])
                      if self._path(a)[:len(parts)] == parts[::-1]]
        if len(candidates) == 1:
            return candidates[0], None
        if candidates:
            return None, f"area: {text!r} names {len(candidates)} areas; give the area code or parent/name"
        return None, f"area: no area has the code or name {text!r}"


def _number(cells: dict[str, str], name: str, low: float, high: float, errors: list[str]) -> float | None:
    raw = cells.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        errors.append(f"{name}: {raw!r} is not a number")
        return None
    if not math.isfinite(value) or not low <= value <= high:
        errors.append(f"{name}: {raw} is outside {low:g}..{high:g}")
        return None
    return value


def parse_row(number: int, cells: list[str], columns: dict[str, int], areas: AreaIndex
              ) -> tuple[Row | None, list[str]]:
    """One register row, checked: the row or the reasons it cannot be imported."""
    values = {c: cells[i] if i < len(cells) else "" for c, i in columns.items()}
    errors: list[str] = []
    area_id, why = (None, "area: empty") if not values["area"].strip() else areas.find(values["area"])
    if why:
        errors.append(why)
    address = clean(values["address"])
    if not address:
        errors.append("address: empty")
    elif len(address) > MAX_ADDRESS:
        errors.append(f"address: longer than {MAX_ADDRESS} characters")
    head = clean(values.get("head_name", ""))
    if len(head) > MAX_NAME:
        errors.append(f"head_name: longer than {MAX_NAME} characters")
    lat = _number(values, "lat", -90, 90, errors)
    lon = _number(values, "lon", -180, 180, errors)
    if (lat is None) != (lon is None) and not any(e.startswith(("lat", "lon")) for e in errors):
        errors.append("lat and lon: give both coordinates or neither")
    if errors or area_id is None:
        return None, errors
    fields = {"area_id": area_id, "address": address, "head_name": head or None, "lat": lat, "lon": lon}
    return Row(number, household_id(area_id, address), fields), []


def plan(row: Row, current: Any, at: str) -> Any | None:
    """The mutation that brings the ledger to ``row``, or None when it already holds it."""
    from server.sync.protocol import MutationIn

    if current is None:
        fields = {k: v for k, v in row.fields.items() if v is not None}
        op, base = "create", None
    else:
        fields = {k: v for k, v in row.fields.items() if getattr(current, k) != v}
        if not fields:
            return None
        op, base = "update", current.version
    digest = json.dumps([row.record_id, op, base, fields], sort_keys=True, ensure_ascii=False)
    return MutationIn(id=str(uuid.uuid5(NS, f"mutation:{digest}")), collection="households",
                      record_id=row.record_id, op=op, base_version=base, fields=fields, at=at)


async def import_households(db: Database, principal: Principal, data: bytes, *, batch: int = BATCH,
                            progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import a register CSV: every row checked, good rows applied in batches of ``batch``, each its own
    transaction, so a large file does not hold the ledger's write lock for its whole length."""
    from server.sync.apply import apply_batch

    columns, raw_rows = read_csv(decode(data))
    report = ImportReport(rows=len(raw_rows))
    async with db.read() as session:
        areas = AreaIndex(await session.scalars(select(Area)))
        # One read of the whole register up front: households recorded in the field (random ids) are
        # matched by address, not duplicated, and no batch has to look its rows up again.
        current = {r.id: r for r in await session.execute(
            select(*(getattr(Household, c) for c in ("id", "version", *REGISTER_FIELDS))))}
    known = {household_key(r.area_id, r.address): r.id for r in current.values() if r.area_id is not None}
    good: list[Row] = []
    first_row: dict[str, int] = {}
    for number, cells in raw_rows:
        row, errors = parse_row(number, cells, columns, areas)
        if row is not None:
            row.record_id = known.get(household_key(row.fields["area_id"], row.fields["address"]), row.record_id)
        if row is not None and not principal.scope.covers(row.fields["area_id"]):
            row, errors = None, ["area: outside your scope"]
        if row is not None and row.record_id in first_row:
            row, errors = None, [f"address: the same household as row {first_row[row.record_id]}"]
        if row is None:
            report.reject(number, errors)
            continue
        first_row[row.record_id] = number
        good.append(row)
    done = len(raw_rows) - len(good)
    if progress:
        progress(done, len(raw_rows))
    at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for start in range(0, len(good), batch):
        chunk = good[start:start + batch]
        # A household changed since the read above is sent with the version read then: the engine
        # merges it field by field, and a field edited meanwhile becomes a conflict, not a silent loss.
        planned = [(row, plan(row, current.get(row.record_id), at)) for row in chunk]
        mutations = [m for _, m in planned if m is not None]
        results: Any = iter(())
        if mutations:
            async with db.write() as session:
                results = iter(await apply_batch(session, principal, mutations))
        for row, mutation in planned:
            _tally(report, row, None if mutation is None else next(results))
        done += len(chunk)
        if progress:
            progress(done, len(raw_rows))
    return report


def _tally(report: ImportReport, row: Row, result: Any) -> None:
    if result is None or (result.status == "applied" and result.replayed):
        report.unchanged += 1
    elif result.status == "applied":
        report.applied += 1
    else:
        error = result.error
        message = error.get("message") if isinstance(error, dict) else getattr(error, "message", None)
        if result.status == "conflict":
            fields = ", ".join(str(c.get("field") if isinstance(c, dict) else getattr(c, "field", "?"))
                               for c in result.conflicts or [])
            message = f"changed by someone else meanwhile ({fields}); the ledger kept its values"
        report.reject(row.number, [message or result.status])
