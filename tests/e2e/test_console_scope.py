"""A supervisor of one village, on a phone, sees nothing of another village: not on the map, the
dashboard, the coverage table, the case list or the export."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from .console_helpers import api_json, area_by_code, block_internet, create_user, download, open_screen
from .helpers import PHONE, api_login, api_pull_all, sign_in

pytestmark = pytest.mark.e2e


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _small_targets(page) -> list:
    """Visible controls in the screen lower than 44 px."""
    return page.evaluate("""() => Array.from(document.querySelectorAll(
        'main a, main button, main select, main input:not([type=checkbox]), main summary'))
        .filter((e) => e.offsetParent !== null)
        .map((e) => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""")


def test_village_supervisor_sees_nothing_of_another_village(server, phone):
    admin = api_login(server, "admin")
    mine, other = area_by_code(server, admin, "QSZ-QS"), area_by_code(server, admin, "QSZ-LX")
    username = f"sup_qs_{uuid.uuid4().hex[:6]}"
    create_user(server, admin, username, "supervisor", [mine["id"]])
    sup = api_login(server, username)

    # The other village as the admin sees it, and what this supervisor may see.
    other_households = {f["properties"]["id"] for f in api_json(server, admin, "/api/reports/coverage.geojson", area_id=other["id"])["features"]}
    other_areas = {f["properties"]["id"] for f in api_json(server, admin, "/api/areas/geojson", area_id=other["id"])["features"]}
    assert other_households and other_areas
    my_points = {f["properties"]["id"] for f in api_json(server, sup, "/api/reports/coverage.geojson")["features"]}
    my_grids = {f["properties"]["id"] for f in api_json(server, sup, "/api/areas/geojson")["features"] if f["properties"]["kind"] == "grid"}
    everything = api_pull_all(server, admin)
    my_disputes = {d["id"] for d in everything["disputes"].values()
                   if d["area_id"] in {a["id"] for a in api_json(server, sup, "/api/me")["areas"]}}
    assert my_points and my_grids and my_disputes

    ctx = phone()
    block_internet(ctx)
    page = ctx.new_page()
    sign_in(page, server, username)

    # Dashboard: this village's numbers, not the town's.
    page.click("[data-nav='#/console']")
    total = page.wait_for_selector("[data-stat=total] .big").text_content()
    mine_summary = api_json(server, sup, "/api/reports/summary")
    town_summary = api_json(server, admin, "/api/reports/summary")
    assert int(total) == mine_summary["total"] == api_json(server, admin, "/api/reports/summary", area_id=mine["id"])["total"]
    assert mine_summary["total"] < town_summary["total"]
    options = page.eval_on_selector_all("select[name=area] option", "els => els.map((e) => e.value)")
    assert mine["id"] in options and other["id"] not in options and not set(options) & other_areas
    _no_sideways_scroll(page)
    assert _small_targets(page) == []
    # Asking for the other village by hand gets an error, not its numbers.
    open_screen(page, f"#/console?area={other['id']}", "[data-console] [role=alert]")
    assert page.locator("[data-stat]").count() == 0

    # Map and table.
    open_screen(page, "#/console/map", "[data-map][data-drawn]")
    drawn = set(page.eval_on_selector_all("path.hh-point", "els => els.map((e) => e.dataset.householdId)"))
    grids = set(page.eval_on_selector_all("path.grid-shape", "els => els.map((e) => e.dataset.areaId)"))
    assert drawn == my_points and not drawn & other_households
    assert grids == my_grids and not grids & other_areas
    page.wait_for_selector("[data-table=coverage]")
    rows = page.eval_on_selector_all("[data-table=coverage] tbody tr[data-area-id]", "els => els.map((e) => e.dataset.areaId)")
    assert rows == [mine["id"]]
    total_households = page.text_content("[data-table=coverage] tr[data-total] [data-col=households]")
    assert int(total_households) == api_json(server, sup, "/api/reports/coverage")["total"]["households"]
    _no_sideways_scroll(page)
    assert _small_targets(page) == []

    # Cases: only this village's.
    open_screen(page, "#/console/cases?status=all", ".case-list")
    listed = set(page.eval_on_selector_all(".case-list [data-dispute-id]", "els => els.map((e) => e.dataset.disputeId)"))
    assert listed == my_disputes
    _no_sideways_scroll(page)
    assert _small_targets(page) == []

    # Export: every row is from this village.
    open_screen(page, "#/console/exports", "[data-export=disputes-csv]")
    _, data = download(page, "[data-export=disputes-csv]")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    ids, codes = header.index("编号"), header.index("区域编码")
    assert {r[ids] for r in body} == my_disputes
    assert all(r[codes].startswith("QSZ-QS") for r in body)
