"""The dispute ledger and the periodic statistics table, as rows, CSV (UTF-8 with BOM) and XLSX.

Each column has a stable key; the header row shows Chinese labels, or the keys with ``labels=codes``
(which also writes codes instead of Chinese words in the cells, for machines).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import Principal
from server.clock import as_utc
from server.models import Dispute, Household, User
from server.services.reports import (CATEGORIES, LOCAL, OPEN, RISKS, case_days, frame, household_counts,
                                     local_today, ratio)

CATEGORY_ZH = {"marriage_family": "婚姻家庭", "neighbour": "邻里纠纷", "labour": "劳动争议",
               "land_requisition": "征地拆迁", "land_contract": "土地承包与宅基地", "property": "物业与房屋",
               "private_lending": "民间借贷", "illegal_fundraising": "非法集资", "medical": "医疗纠纷",
               "education": "教育", "traffic": "交通事故", "environment": "环境污染", "enterprise": "涉企纠纷",
               "consumer": "消费纠纷", "other": "其他"}
RISK_ZH = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}
STATUS_ZH = {"reported": "已登记", "assigned": "已交办", "in_mediation": "调解中", "resolved": "已化解",
             "referred": "已移交", "unresolved": "未化解"}
HANDLING_ZH = {"people_mediation": "人民调解", "admin_mediation": "行政调解", "judicial_mediation": "司法调解",
               "arbitration": "仲裁", "admin_ruling": "行政裁决或复议", "litigation": "诉讼",
               "referral": "移交其他部门"}

DISPUTE_COLUMNS = [
    ("id", "编号"), ("area_code", "区域编码"), ("area_name", "所属区域"), ("title", "纠纷名称"),
    ("category", "纠纷类别"), ("risk", "风险等级"), ("status", "状态"), ("office", "责任单位"),
    ("assignee", "责任人"), ("deadline", "办结时限"), ("overdue", "是否超期"), ("followup_class", "回访类别"),
    ("handling", "化解方式"), ("parties", "当事人"), ("households", "涉及住户"), ("location", "地点"),
    ("description", "简要情况"), ("outcome", "处理结果"), ("found_on", "登记日期"), ("resolved_on", "化解日期"),
    ("updated_at", "最后更新"),
]
STAT_COLUMNS = [
    ("area_code", "区域编码"), ("area_name", "区域"), ("households", "户数"), ("visited", "已走访户数"),
    ("coverage", "走访覆盖率"), ("found", "排查纠纷数"),
    *[(f"category_{c}", CATEGORY_ZH[c]) for c in CATEGORIES],
    *[(f"risk_{r}", f"{RISK_ZH[r]}风险") for r in RISKS],
    ("resolved", "已化解"), ("resolution_rate", "化解率"), ("overdue", "超期未化解"),
]
TOTAL_CODE = "TOTAL"


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]

    def header(self, codes: bool) -> list[str]:
        return [key if codes else label for key, label in self.columns]

    def matrix(self) -> list[list[Any]]:
        return [[row.get(key) for key, _ in self.columns] for row in self.rows]


def _label(table: dict[str, str], value: str | None, codes: bool) -> str | None:
    return value if codes or value is None else table.get(value, value)


def _parties(parties: Any) -> str:
    out = []
    for p in parties if isinstance(parties, list) else []:
        if isinstance(p, dict):
            extra = "，".join(str(p[k]) for k in ("role", "phone") if p.get(k))
            out.append(f"{p.get('name') or ''}（{extra}）" if extra else str(p.get("name") or ""))
    return "；".join(out)


def _stamp(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


async def dispute_ledger(session: AsyncSession, principal: Principal, area_id: str | None, *, codes: bool = False,
                         today: date | None = None) -> Table:
    """One row per dispute in the caller's scope (or area ``area_id``), oldest first."""
    f = await frame(session, principal, area_id)
    today = today or local_today()
    disputes = list(await session.scalars(
        select(Dispute).where(f.clause(Dispute.area_id), Dispute.archived.isnot(True))
        .order_by(Dispute.created_at, Dispute.id)))
    user_ids = sorted({d.assignee_id for d in disputes if d.assignee_id})
    names = dict((await session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))).all())
    household_ids = sorted({h for d in disputes for h in (d.household_ids or []) if isinstance(h, str)})
    addresses: dict[str, str] = {}
    for start in range(0, len(household_ids), 1000):
        chunk = household_ids[start:start + 1000]
        addresses.update((await session.execute(
            select(Household.id, Household.address).where(Household.id.in_(chunk)))).all())
    days = await case_days(session, disputes)
    yes, no = ("true", "false") if codes else ("是", "否")
    rows = []
    for d in disputes:
        area = f.areas.get(d.area_id or "")
        overdue = d.status in OPEN and d.deadline is not None and d.deadline < today
        rows.append({
            "id": d.id, "area_code": area.code if area else None, "area_name": area.name if area else None,
            "title": d.title, "category": _label(CATEGORY_ZH, d.category, codes),
            "risk": _label(RISK_ZH, d.risk, codes), "status": _label(STATUS_ZH, d.status, codes),
            "office": d.office, "assignee": names.get(d.assignee_id or "", d.assignee_id),
            "deadline": d.deadline, "overdue": yes if overdue else no, "followup_class": d.followup_class,
            "handling": _label(HANDLING_ZH, d.handling, codes), "parties": _parties(d.parties),
            "households": "；".join(addresses.get(h, h) for h in d.household_ids or [] if isinstance(h, str)),
            "location": d.location, "description": d.description, "outcome": d.outcome,
            "found_on": days[d.id][0], "resolved_on": days[d.id][1],
            "updated_at": _stamp(d.updated_at),
        })
    return Table("纠纷台账", DISPUTE_COLUMNS, rows)


async def statistics(session: AsyncSession, principal: Principal, area_id: str | None, start: date | None,
                     end: date | None, *, today: date | None = None) -> Table:
    """Per listed area: households visited in the window, and the disputes found in it by category and
    risk, how many of those are resolved, the resolution rate and how many are overdue today."""
    f = await frame(session, principal, area_id)
    today = today or local_today()
    households, visited = await household_counts(session, f, start, end)
    disputes = (await session.execute(
        select(Dispute.id, Dispute.area_id, Dispute.category, Dispute.risk, Dispute.status, Dispute.deadline,
               Dispute.created_at, Dispute.resolved_at, Dispute.updated_at)
        .where(f.clause(Dispute.area_id), Dispute.archived.isnot(True)))).all()
    days = await case_days(session, disputes)
    row_of = {a: r.id for r in f.rows for a in f.members[r.id]}
    blank = {"found": 0, "resolved": 0, "overdue": 0, **{f"category_{c}": 0 for c in CATEGORIES},
             **{f"risk_{r}": 0 for r in RISKS}}
    counts = {r.id: dict(blank) for r in f.rows}
    total = dict(blank)
    for dispute_id, area, category, risk, status, deadline, *_ in disputes:
        found_on = days[dispute_id][0]
        if (start and (found_on is None or found_on < start)) or (end and (found_on is None or found_on > end)):
            continue
        targets = [total] + ([counts[row_of[area]]] if area in row_of else [])
        for c in targets:
            c["found"] += 1
            c[f"category_{category}"] = c.get(f"category_{category}", 0) + 1
            c[f"risk_{risk}"] = c.get(f"risk_{risk}", 0) + 1
            c["resolved"] += status == "resolved"
            c["overdue"] += status in OPEN and deadline is not None and deadline < today
    per_h, per_v = f.roll_up(households), f.roll_up(visited)
    rows = []
    for r in f.rows:
        rows.append(_stat_row(r.code, r.name, per_h[r.id], per_v[r.id], counts[r.id]))
    rows.append(_stat_row(TOTAL_CODE, "合计", f.total(households), f.total(visited), total))
    return Table("统计报表", STAT_COLUMNS, rows)


def _stat_row(code: str, name: str, households: int, visited: int, c: dict[str, int]) -> dict[str, Any]:
    return {"area_code": code, "area_name": name, "households": households, "visited": visited,
            "coverage": ratio(visited, households), **c, "resolution_rate": ratio(c["resolved"], c["found"])}


# --- writers ------------------------------------------------------------------

# Excel runs a cell that starts with one of these as a formula; text from the field must stay text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


def to_csv(table: Table, codes: bool = False) -> bytes:
    """UTF-8 with a BOM, so Excel opens Chinese text correctly; CRLF line ends as RFC 4180 has them."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(table.header(codes))
    for row in table.matrix():
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(table: Table, codes: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.name)
    sheet.freeze_panes = "A2"
    sheet.append(table.header(codes))
    for row in table.matrix():
        cells: list[Any] = []
        for value in row:
            if isinstance(value, str):
                # openpyxl would store text beginning with "=" as a formula; force it to be text.
                # XML 1.0 cannot hold most control characters; openpyxl would refuse the whole file.
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def render(table: Table, fmt: str, codes: bool = False) -> tuple[bytes, str]:
    """The table as (bytes, media type) in ``fmt`` (csv or xlsx)."""
    if fmt == "xlsx":
        return to_xlsx(table, codes), XLSX_TYPE
    return to_csv(table, codes), CSV_TYPE
