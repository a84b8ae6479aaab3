"""The dispute ledger and statistics exports parse back (csv module, openpyxl) and hold the ledger's numbers."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import openpyxl
import pytest

from server.services.exports import DISPUTE_COLUMNS, STATUS_ZH
from tests.reports.town import Town, children, today
from tests.seed import sid

BOM = b"\xef\xbb\xbf"


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(BOM)
    return list(csv.reader(io.StringIO(content[len(BOM):].decode("utf-8"), newline="")))


def read_xlsx(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


async def test_dispute_ledger_csv_and_xlsx_parse_back(client, ledger, town: Town):
    headers = await ledger.headers("supervisor")
    r = await client.get("/api/exports/disputes.csv", headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="disputes.csv"' in r.headers["content-disposition"]
    rows = read_csv(r.content)
    assert rows[0] == [label for _, label in DISPUTE_COLUMNS]
    by_id = {row[0]: row for row in rows[1:]}
    live = {d_id: d for d_id, d in town.disputes.items() if not d["archived"]}
    assert len(rows) - 1 == len(live) and set(by_id) == set(live)
    status = [label for _, label in DISPUTE_COLUMNS].index("状态")
    for d_id, d in live.items():
        assert by_id[d_id][status] == STATUS_ZH[d["status"]]
        # Text from the field that Excel would run as a formula is kept as text.
        assert f"'=cmd {d['label']}" in by_id[d_id]

    r = await client.get("/api/exports/disputes.csv", headers=headers, params={"labels": "codes"})
    rows = read_csv(r.content)
    keys = rows[0]
    assert keys == [key for key, _ in DISPUTE_COLUMNS]
    records = {row[0]: dict(zip(keys, row)) for row in rows[1:]}
    for d_id, d in live.items():
        got = records[d_id]
        assert (got["status"], got["category"], got["risk"]) == (d["status"], d["category"], d["risk"])
        assert got["area_code"] == d["area"]
        assert got["deadline"] == (d["deadline"] or "")
        is_overdue = d["status"] in ("reported", "assigned", "in_mediation") and bool(d["deadline"]) \
            and d["deadline"] < today().isoformat()
        assert got["overdue"] == ("true" if is_overdue else "false")
        assert f"当事人{d['label']}" in got["parties"]
        assert got["found_on"] == d["found_on"]
        assert got["resolved_on"] == (d["found_on"] if d["status"] == "resolved" else "")

    r = await client.get("/api/exports/disputes.xlsx", headers=headers, params={"area_id": sid("V1")})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = read_xlsx(r.content)
    assert sheet[0] == [label for _, label in DISPUTE_COLUMNS]
    assert {row[0] for row in sheet[1:]} == {i for i, d in live.items() if d["area"] in ("V1", "G1", "G2")}
    description = [label for _, label in DISPUTE_COLUMNS].index("简要情况")
    assert all(row[description].startswith("=cmd") for row in sheet[1:])


async def test_statistics_table_holds_the_ledger_numbers(client, ledger, town: Town):
    headers = await ledger.headers("supervisor")
    start, end = (today() - timedelta(days=14)).isoformat(), today().isoformat()
    for root in ("T", "V1"):
        r = await client.get("/api/exports/statistics.csv", headers=headers,
                             params={"area_id": sid(root), "from": start, "to": end, "labels": "codes"})
        assert r.status_code == 200, r.text
        assert f'filename="statistics-{start}-{end}.csv"' in r.headers["content-disposition"]
        rows = read_csv(r.content)
        keys = rows[0]
        table = [dict(zip(keys, row)) for row in rows[1:]]
        assert [row["area_code"] for row in table] == children(root) + ["TOTAL"]
        for row in table:
            code = row["area_code"] if row["area_code"] != "TOTAL" else root
            households, visited = town.coverage_of(code, start, end)
            # Found in the period by the phone's date, which is not the day the server received it.
            disputes = [d for d in town.live_disputes(code) if start <= d["found_on"] <= end]
            resolved = sum(d["status"] == "resolved" for d in disputes)
            assert (int(row["households"]), int(row["visited"])) == (households, visited), row
            assert int(row["found"]) == len(disputes)
            assert int(row["resolved"]) == resolved
            assert float(row["resolution_rate"]) == (round(resolved / len(disputes), 4) if disputes else 0)
            assert int(row["overdue"]) == sum(d in disputes for d in town.overdue_disputes(code))
            for risk in ("red", "orange", "yellow", "blue"):
                assert int(row[f"risk_{risk}"]) == sum(d["risk"] == risk for d in disputes)
            for category in ("neighbour", "labour", "medical", "traffic"):
                assert int(row[f"category_{category}"]) == sum(d["category"] == category for d in disputes)

    # Another period: October.
    r = await client.get("/api/exports/statistics.xlsx", headers=headers,
                         params={"from": "2026-10-01", "to": "2026-10-31", "labels": "codes"})
    sheet = read_xlsx(r.content)
    table = [dict(zip(sheet[0], row)) for row in sheet[1:]]
    assert [row["area_code"] for row in table] == ["T", "TOTAL"]
    households, visited = town.coverage_of("T", "2026-10-01", "2026-10-31")
    found = sum("2026-10-01" <= d["found_on"] <= "2026-10-31" for d in town.live_disputes())
    assert (table[-1]["households"], table[-1]["visited"], table[-1]["found"]) == (households, visited, found)
    r = await client.get("/api/exports/statistics.xlsx", headers=headers, params={"area_id": sid("T")})
    sheet = read_xlsx(r.content)
    assert sheet[0][:6] == ["区域编码", "区域", "户数", "已走访户数", "走访覆盖率", "排查纠纷数"]
    assert [row[0] for row in sheet[1:]] == ["V1", "V2", "TOTAL"]
    assert sheet[-1][2:4] == list(town.coverage_of("T"))


async def test_xlsx_export_survives_control_characters_in_field_text(client, ledger):
    headers = await ledger.headers("admin")
    device = await ledger.device_id("admin")
    mutation = {"id": str(uuid.uuid4()), "collection": "disputes", "record_id": str(uuid.uuid4()), "op": "create",
                "base_version": None, "fields": {"area_id": sid("G1"), "title": "水渠\x01纠纷\x0b", "category": "other",
                                                 "risk": "blue", "status": "reported"}}
    r = await client.post("/api/sync/push", headers=headers, json={"device_id": device, "mutations": [mutation]})
    if r.json()["results"][0]["status"] != "applied":
        pytest.skip("the sync engine refuses control characters, so none reach the ledger")
    r = await client.get("/api/exports/disputes.xlsx", headers=headers)
    assert r.status_code == 200
    assert "水渠纠纷" in [row[3] for row in read_xlsx(r.content)[1:]]
