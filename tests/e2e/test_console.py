"""The supervisor console: the coverage map with no map tiles, cases assigned in bulk, a conflict
resolved from the inbox, exports, the register import, and who may see it at all. The API is the
truth each screen is compared with."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta

import httpx
import pytest

from .console_helpers import (api, api_json, area_by_code, block_internet, download, new_dispute, open_screen,
                              push)
from .helpers import api_login, api_pull_all, api_session, go_offline, go_online, sign_in

pytestmark = pytest.mark.e2e

BOM = b"\xef\xbb\xbf"


def _point_state(props: dict) -> str:
    if not props["visited"]:
        return "not"
    return "nobody" if props.get("outcome") == "nobody_home" else "visited"


def _drawn(page) -> tuple[dict[str, str], dict[str, float]]:
    points = page.eval_on_selector_all("path.hh-point", "els => els.map((e) => [e.dataset.householdId, e.dataset.state])")
    grids = page.eval_on_selector_all("path.grid-shape", "els => els.map((e) => [e.dataset.areaId, e.dataset.coverage])")
    return dict(points), {a: float(c) for a, c in grids}


def test_map_shows_every_household_and_shaded_grid_without_tiles(server, desktop):
    ctx = desktop()
    tried = block_internet(ctx)
    page = ctx.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, server, "supervisor")
    token = api_login(server, "supervisor")
    village = area_by_code(server, token, "QSZ-LX")

    page.click("[data-nav='#/console']")
    page.wait_for_selector("[data-stat=total]")
    assert page.evaluate("typeof window.L") == "undefined"  # Leaflet comes with the map screen only
    page.click("[data-tab='#/console/map']")
    page.select_option("form[data-form=filters] select[name=area]", village["id"])
    page.click("form[data-form=filters] [type=submit]")
    page.wait_for_selector("[data-map][data-drawn]")

    points = api_json(server, token, "/api/reports/coverage.geojson", area_id=village["id"])["features"]
    shapes = api_json(server, token, "/api/areas/geojson", area_id=village["id"])["features"]
    grids = {f["properties"]["id"]: f["properties"]["coverage"] for f in shapes if f["properties"]["kind"] == "grid"}
    assert len(points) > 50 and len(grids) > 3
    drawn_points, drawn_grids = _drawn(page)
    assert drawn_points == {f["properties"]["id"]: _point_state(f["properties"]) for f in points}
    assert drawn_grids == grids
    assert {"visited", "not"} <= set(drawn_points.values())
    # No tile came through: the map says so, and grids and points are there all the same.
    assert tried and all("tile" in u or "openstreetmap" in u for u in tried)
    page.wait_for_selector("[data-map-note]:not([hidden])")
    assert page.get_attribute("[data-map]", "data-points") == str(len(points))
    # Leaflet, loaded on demand, runs under the app's CSP (no inline script or style).
    assert page.evaluate("document.querySelectorAll('script[data-leaflet]').length") == 1
    assert refused == []

    # Beside the map, the table per area.
    report = api_json(server, token, "/api/reports/coverage", area_id=village["id"])
    rows = page.eval_on_selector_all("[data-table=coverage] tbody tr[data-area-id]",
                                     "els => els.map((e) => [e.dataset.areaId, e.querySelector('[data-col=households]').textContent, e.querySelector('[data-col=visited]').textContent])")
    assert rows == [[a["area_id"], str(a["households"]), str(a["visited"])] for a in report["areas"]]

    # A date window: shading and points follow it.
    start, end = (date.today() - timedelta(days=10)).isoformat(), date.today().isoformat()
    page.fill("form[data-form=filters] input[name=from]", start)
    page.fill("form[data-form=filters] input[name=to]", end)
    page.click("form[data-form=filters] [type=submit]")
    page.wait_for_function("() => location.hash.includes('from=') && document.querySelector('[data-map][data-drawn]')")
    window = {"area_id": village["id"], "from": start, "to": end}
    points = api_json(server, token, "/api/reports/coverage.geojson", **window)["features"]
    shapes = api_json(server, token, "/api/areas/geojson", **window)["features"]
    drawn_points, drawn_grids = _drawn(page)
    assert drawn_points == {f["properties"]["id"]: _point_state(f["properties"]) for f in points}
    assert drawn_grids == {f["properties"]["id"]: f["properties"]["coverage"] for f in shapes if f["properties"]["kind"] == "grid"}

    # A click on a point opens the household.
    household_id = points[0]["properties"]["id"]
    page.locator(f"path.hh-point[data-household-id='{household_id}']").dispatch_event("click")
    page.wait_for_function("(id) => location.hash === '#/h/' + id", arg=household_id)
    page.wait_for_selector("[data-action=new-visit]")


def test_cases_assigned_in_bulk(server, desktop):
    worker = api_session(server, "worker1")
    grid = area_by_code(server, worker["token"], "QSZ-QS-G2")
    tag = uuid.uuid4().hex[:6]
    cases = {new_dispute(server, worker, grid["id"], f"批量交办 {tag} {c}", category=c): c for c in ("labour", "neighbour")}
    sup = api_login(server, "supervisor")
    offices = api_json(server, sup, "/api/config")["offices"]
    mediator = next(u for u in api_json(server, sup, "/api/users")["users"] if u["username"] == "mediator")

    page = desktop().new_page()
    sign_in(page, server, "supervisor")
    open_screen(page, "#/console/cases", "form[data-form=bulk]")
    page.fill("input[name=q]", tag)
    page.wait_for_function("() => document.querySelectorAll('.case-list [data-dispute-id]').length === 2")
    page.check("input[name=select_all]")
    page.wait_for_selector("[data-action=bulk-apply]:not([disabled])")
    form = page.locator("form[data-form=bulk]")
    # Neither case has an office yet: each goes to its category's by default.
    assert form.locator("select[name=office]").input_value() == "*category"
    deadline = (date.today() + timedelta(days=14)).isoformat()
    form.locator("select[name=assignee_id]").select_option(mediator["id"])
    form.locator("input[name=deadline]").fill(deadline)
    form.locator("select[name=status]").select_option("assigned")
    form.locator("[data-action=bulk-apply]").click()
    summary = page.wait_for_selector("[data-bulk-summary]")
    assert "2" in summary.text_content()

    records = api_pull_all(server, sup)["disputes"]
    for dispute_id, category in cases.items():
        d = records[dispute_id]
        assert (d["office"], d["assignee_id"], d["deadline"], d["status"]) == (
            offices[category], mediator["id"], deadline, "assigned")
    # Once synced, the list shows the new office.
    first = next(iter(cases))
    page.wait_for_selector(f"[data-dispute-id='{first}'] [data-field=office]:has-text('{offices[cases[first]]}')")


def test_conflict_resolved_from_the_inbox(server, desktop):
    worker, mediator = api_session(server, "worker1"), api_session(server, "mediator")
    grid = area_by_code(server, worker["token"], "QSZ-QS-G2")
    title = f"水渠改道 {uuid.uuid4().hex[:6]}"
    dispute_id = new_dispute(server, worker, grid["id"], title)
    update = {"collection": "disputes", "record_id": dispute_id, "op": "update", "base_version": 1}
    assert push(server, worker, [{**update, "fields": {"status": "in_mediation", "title": f"{title} 甲"}}])[0]["status"] == "applied"
    clash = push(server, mediator, [{**update, "fields": {"status": "resolved", "title": f"{title} 乙"}}])[0]
    assert clash["status"] == "conflict"
    ids = {c["field"]: c["conflict_id"] for c in clash["conflicts"]}
    assert set(ids) == {"status", "title"}

    page = desktop().new_page()
    sign_in(page, server, "supervisor")
    open_screen(page, "#/console/conflicts", f"[data-conflict-id='{ids['status']}']")
    status_item = page.locator(f"[data-conflict-id='{ids['status']}']")
    assert status_item.locator("[data-value=server]").get_attribute("data-raw") == "in_mediation"
    assert status_item.locator("[data-value=client]").get_attribute("data-raw") == "resolved"
    assert status_item.locator("[data-value=client] [data-text]").text_content() == "已化解"
    assert "mediator" in status_item.text_content() or "陈秀英" in status_item.text_content()
    # Choose the submitted value for one field, write a new one for the other.
    status_item.locator("[data-action=use-client]").click()
    status_item.wait_for(state="detached")
    title_item = page.locator(f"[data-conflict-id='{ids['title']}']")
    title_item.locator("input[name=value]").fill(f"{title} 定稿")
    title_item.locator("[data-action=resolve-edited]").click()
    title_item.wait_for(state="detached")
    assert "定稿" in page.text_content("[data-resolved]")

    sup = api_login(server, "supervisor")
    still_open = {c["id"] for c in api_json(server, sup, "/api/conflicts", status="open")["conflicts"]}
    assert not still_open & set(ids.values())
    record = api_pull_all(server, sup)["disputes"][dispute_id]
    assert record["status"] == "resolved" and record["title"] == f"{title} 定稿"


def test_exports_download_with_the_token(server, desktop):
    ctx = desktop()
    page = ctx.new_page()
    sign_in(page, server, "supervisor")
    token = api_login(server, "supervisor")
    open_screen(page, "#/console/exports", "[data-export=disputes-csv]")
    name, data = download(page, "[data-export=disputes-csv]")
    truth = api(server, token, "/api/exports/disputes.csv").content
    assert name == "disputes.csv"
    assert data.startswith(BOM) and truth.startswith(BOM)
    header = data[3:].decode("utf-8").splitlines()[0]
    assert header == truth[3:].decode("utf-8").splitlines()[0] and header.startswith("编号,")
    assert len(list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))) == len(list(csv.reader(io.StringIO(truth[3:].decode("utf-8")))))

    start, end = (date.today() - timedelta(days=30)).isoformat(), date.today().isoformat()
    page.fill("form[data-form=filters] input[name=from]", start)
    page.fill("form[data-form=filters] input[name=to]", end)
    page.click("form[data-form=filters] [type=submit]")
    page.wait_for_function("() => location.hash.includes('from=')")
    page.wait_for_selector("[data-export=statistics-csv]")
    name, data = download(page, "[data-export=statistics-csv]")
    truth = api(server, token, "/api/exports/statistics.csv", **{"from": start, "to": end}).content
    assert name == f"statistics-{start}-{end}.csv"
    assert data.startswith(BOM) and data.splitlines()[0] == truth.splitlines()[0]
    name, data = download(page, "[data-export=disputes-xlsx]")
    assert name == "disputes.xlsx" and data.startswith(b"PK")

    # Offline, the console says so rather than failing quietly, and loads once back online.
    go_offline(ctx)
    open_screen(page, "#/console", "[data-offline]")
    go_online(ctx)
    page.wait_for_selector("[data-stat=total]")


def test_register_import_reports_bad_rows_and_applies_good_ones(server, desktop):
    tag = uuid.uuid4().hex[:6]
    rows = [
        "区域编码,地址,户主,纬度,经度",
        f"QSZ-QS-G1,导入路1号-{tag},张三,29.925,119.815",
        f"NO-SUCH-AREA,导入路2号-{tag},李四,29.925,119.815",
        "QSZ-QS-G1,,王五,29.925,119.815",
        f"QSZ-QS-G1,导入路3号-{tag},赵六,99,119.815",
        f"QSZ-QS-G1,导入路4号-{tag},钱七,,",
    ]
    register = ("\n".join(rows) + "\n").encode("utf-8")
    page = desktop().new_page()
    sign_in(page, server, "admin")
    for applied, unchanged in ((2, 0), (0, 2)):  # the same file twice changes nothing
        open_screen(page, "#/admin/import", "form[data-form=import]")
        page.set_input_files("input[name=register]", files=[{"name": "register.csv", "mimeType": "text/csv", "buffer": register}])
        page.click("[data-action=import]")
        summary = page.wait_for_selector("[data-import-summary]")
        assert (summary.get_attribute("data-rows"), summary.get_attribute("data-applied"), summary.get_attribute("data-unchanged")) == (
            "5", str(applied), str(unchanged))
        assert page.eval_on_selector_all("[data-rejected-row]", "els => els.map((e) => e.dataset.rejectedRow)") == ["3", "4", "5"]
        assert "NO-SUCH-AREA" in page.text_content("[data-rejected-row='3']")
        page.evaluate("location.hash = '#/admin/users'")
        page.wait_for_selector("[data-user-id]")

    admin = api_login(server, "admin")
    grid = area_by_code(server, admin, "QSZ-QS-G1")
    imported = {h["address"]: h for h in api_pull_all(server, admin)["households"].values() if tag in (h.get("address") or "")}
    assert sorted(imported) == [f"导入路1号-{tag}", f"导入路4号-{tag}"]
    assert all(h["area_id"] == grid["id"] for h in imported.values())
    assert imported[f"导入路1号-{tag}"]["head_name"] == "张三" and imported[f"导入路4号-{tag}"]["lat"] is None


def test_field_worker_and_mediator_do_not_see_the_console(server, phone):
    for username in ("worker1", "mediator"):
        page = phone().new_page()
        sign_in(page, server, username)
        assert page.locator("[data-nav='#/console']").count() == 0
        for screen in ("#/console", "#/console/map", "#/console/conflicts", "#/admin/users"):
            page.evaluate("location.hash = '#/households'")
            page.wait_for_selector("[data-household-id]")
            page.evaluate("(h) => { location.hash = h; }", screen)
            page.wait_for_selector("main a[href='#/sync']")  # the home screen instead
            assert page.locator("[data-console]").count() == 0
        token = api_login(server, username)
        res = httpx.get(f"{server}/api/reports/summary", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert res.status_code == 403
