"""A supervisor of one village sees nothing of another, on every report, map, export and tool."""

from __future__ import annotations

import csv
import io

import openpyxl

from tests.reports.town import CODE_OF, Town, under
from tests.seed import sid

GETS = ["/api/reports/coverage", "/api/reports/coverage.geojson", "/api/areas/geojson", "/api/reports/summary",
        "/api/exports/disputes.csv", "/api/exports/disputes.xlsx", "/api/exports/statistics.csv",
        "/api/exports/statistics.xlsx"]


def _text(content: bytes, path: str) -> str:
    if path.endswith(".xlsx"):
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        return "\n".join(",".join(str(c.value) for c in row) for row in sheet.iter_rows())
    return content.decode("utf-8-sig")


async def test_a_village_supervisor_sees_nothing_of_another_village(client, ledger, town: Town, village_supervisor):
    headers = village_supervisor
    for path in GETS:
        for other in ("V1", "G1", "G2", "T"):
            r = await client.get(path, headers=headers, params={"area_id": sid(other)})
            assert r.status_code == 404, (path, other)
        r = await client.get(path, headers=headers)
        assert r.status_code == 200, (path, r.text)
        text = _text(r.content, path)
        # Nothing of V1 leaks: no record id, party, address, area id or area code of it.
        for label, record_id in town.names.items():
            record = town.households.get(record_id) or town.disputes.get(record_id) or {}
            if record and not under(record["area"], "V2"):
                assert record_id not in text, (path, label)
                assert f"当事人{label}" not in text and f"号 {label}" not in text, (path, label)
        for code in ("V1", "G1", "G2", "T"):
            assert sid(code) not in text, (path, code)

    coverage = (await client.get("/api/reports/coverage", headers=headers)).json()
    assert [CODE_OF[a["area_id"]] for a in coverage["areas"]] == ["V2"]
    households, visited = town.coverage_of("V2")
    assert (coverage["total"]["households"], coverage["total"]["visited"]) == (households, visited)
    summary = (await client.get("/api/reports/summary", headers=headers)).json()
    assert summary["total"] == len(town.live_disputes("V2"))
    assert summary["followups_due"] == town.followups_due("V2")
    rows = list(csv.reader(io.StringIO(_text((await client.get(
        "/api/exports/disputes.csv", headers=headers)).content, ".csv"))))
    assert {row[0] for row in rows[1:]} == {i for i, d in town.disputes.items()
                                            if under(d["area"], "V2") and not d["archived"]}
    stats = list(csv.reader(io.StringIO(_text((await client.get(
        "/api/exports/statistics.csv", headers=headers)).content, ".csv"))))
    assert [row[0] for row in stats[1:]] == ["V2", "TOTAL"]
    tree = (await client.get("/api/areas", headers=headers)).json()["areas"]
    assert [(a["code"], [c["code"] for c in a["children"]]) for a in tree] == [("V2", ["G3"])]

    r = await client.post("/api/disputes/bulk", headers=headers,
                          json={"ids": [town.names["d1"], town.names["d5"]], "set": {"office": "x"}})
    assert [(x["status"], (x["error"] or {}).get("code")) for x in r.json()["results"]] == [
        ("rejected", "not_found"), ("applied", None)]
    r = await client.post("/api/imports/households", content=b"area,address\nG1,x\n",
                          headers={**headers, "Content-Type": "text/csv"})
    assert r.status_code == 403
