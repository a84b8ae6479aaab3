"""The household register import: bad rows reported, good rows applied, the same file again changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from server.models import Household, Mutation
from tests.reports.town import Town
from tests.seed import sid

REGISTER = """区域编码,地址,户主,纬度,经度
G1,青石村1组 1号,张三,30.5,120.5
G1,青石村1组 2号,李四,,
Area V1/Area G2,青石村2组 3号,王五,30.6,120.6
G3,柳溪村 8号,赵六,30.7,120.7
NOPE,某地 1号,钱七,30.1,120.1
G1,,孙八,30.1,120.1
G1,青石村1组 9号,周九,95,120.1
G1,青石村1组 10号,吴十,30.1,
G1,青石村1组  1号,郑十一,30.5,120.5
G2,青石村2组 5号,冯十二,north,120.1
"""
GOOD = 4


async def _households(db) -> int:
    async with db.read() as session:
        return await session.scalar(select(func.count()).select_from(Household))


async def _import(client, headers, text: str, encoding: str = "utf-8", content_type: str = "text/csv"):
    return await client.post("/api/imports/households", content=text.encode(encoding),
                             headers={**headers, "Content-Type": content_type})


async def test_import_reports_bad_rows_applies_good_ones_and_is_idempotent(client, ledger, db):
    admin = await ledger.headers("admin")
    before = await _households(db)
    r = await _import(client, admin, REGISTER)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["rows"], body["applied"], body["unchanged"]) == (10, GOOD, 0)
    rejected = {x["row"]: " ".join(x["errors"]) for x in body["rejected"]}
    assert set(rejected) == {6, 7, 8, 9, 10, 11}
    assert "NOPE" in rejected[6] and "address" in rejected[7] and "lat" in rejected[8]
    assert "both" in rejected[9] and "row 2" in rejected[10] and "north" in rejected[11]
    assert await _households(db) == before + GOOD
    async with db.read() as session:
        g2 = await session.scalar(select(Household).where(Household.address == "青石村2组 3号"))
        mutations = await session.scalar(select(func.count()).select_from(Mutation))
    assert (g2.area_id, g2.head_name, g2.lat, g2.lon) == (sid("G2"), "王五", 30.6, 120.6)

    r = await _import(client, admin, REGISTER)
    body = r.json()
    assert (body["applied"], body["unchanged"], len(body["rejected"])) == (0, GOOD, 6)
    assert await _households(db) == before + GOOD
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Mutation)) == mutations

    changed = REGISTER.replace("李四", "李四新")
    body = (await _import(client, admin, changed)).json()
    assert (body["applied"], body["unchanged"]) == (1, GOOD - 1)
    async with db.read() as session:
        row = await session.scalar(select(Household).where(Household.address == "青石村1组 2号"))
    assert (row.head_name, row.version) == ("李四新", 2)


async def test_import_reads_english_headers_and_gb18030(client, ledger, db):
    admin = await ledger.headers("admin")
    text = "Area code,Address,Head of household,Latitude,Longitude\r\nG3,\"柳溪村 1号, 东\",陈一,30.2,120.2\r\n"
    body = (await _import(client, admin, text, "gb18030")).json()
    assert (body["applied"], body["rejected"]) == (1, [])
    async with db.read() as session:
        assert await session.scalar(select(Household.head_name).where(Household.address == "柳溪村 1号, 东")) == "陈一"


async def test_import_matches_households_recorded_in_the_field(client, ledger, db, town: Town):
    admin = await ledger.headers("admin")
    before = await _households(db)
    body = (await _import(client, admin, "area,address,head_name\nG1,G1 号 g1a,新户主\n")).json()
    assert body["applied"] == 1
    assert await _households(db) == before
    async with db.read() as session:
        row = await session.get(Household, town.names["g1a"])
    assert (row.head_name, row.version) == ("新户主", 2)


async def test_import_refuses_what_is_not_a_register(client, ledger):
    admin = await ledger.headers("admin")
    r = await _import(client, admin, "name,phone\nx,1\n")
    assert r.status_code == 400 and "area" in r.json()["detail"]
    r = await _import(client, admin, "")
    assert r.status_code == 400
    r = await _import(client, admin, '{"rows": []}', content_type="application/json")
    assert r.status_code == 415
    r = await client.post("/api/imports/households", content=b"\xff\xfe\x00\xd8" * 3,
                          headers={**admin, "Content-Type": "text/csv"})
    assert r.status_code == 400
    r = await _import(client, await ledger.headers("supervisor"), REGISTER)
    assert r.status_code == 403
