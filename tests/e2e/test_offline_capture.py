"""Offline start, offline capture of a visit with photos and a new dispute,
reload while offline, then the outbox drains and the server holds it all."""

from __future__ import annotations

import io
import uuid

import httpx
import pytest
from PIL import Image

from .helpers import (GEO, api_login, api_pull_all, fill_visit, go_offline, go_online, open_new_visit, outbox_count,
                      sign_in, wait_outbox)
from .photos_fixture import camera_photo

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=window.__xss=1> 邻居因围墙吵架"


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    d = tmp_path_factory.mktemp("photos")
    return [camera_photo(d / "wall.jpg", seed=1), camera_photo(d / "lane.jpg", (3000, 4000), seed=2)]


def test_offline_visit_with_photos_and_dispute_reaches_the_server(server, phone, photos):
    title = f"围墙纠纷 {uuid.uuid4().hex[:6]}"
    ctx = phone()
    page = ctx.new_page()
    sign_in(page, server, "worker1")

    # Offline start: the shell and the data come from this phone alone.
    go_offline(ctx)
    page.reload()
    household_id = open_new_visit(page)

    notes = f"{XSS} {title}"
    form = fill_visit(page, "met", notes)
    form.locator("input[type=file][name=photo]").set_input_files([str(p) for p in photos])
    page.click("[data-action=add-dispute]")
    form.locator("input[name$=_title]").fill(title)
    form.locator("select[name$=_risk]").select_option("red")
    form.locator("select[name$=_category]").select_option("neighbour")
    page.wait_for_selector("[data-photo-id] >> nth=1")
    form.locator("[type=submit]").click()
    page.wait_for_selector("[data-action=new-visit]")

    # 1 dispute + 1 visit + 2 photo records + 2 photo uploads.
    assert outbox_count(page) == 6
    assert page.get_by_text("<img src=x onerror=", exact=False).count() >= 1
    assert page.evaluate("window.__xss") is None

    page.reload()
    page.wait_for_selector("[data-outbox-count]")
    wait_outbox(page, 6)
    page.click("[data-action=households]")
    page.click(f"[data-household-id='{household_id}']")
    page.wait_for_selector("[data-visit-id]")
    assert page.evaluate("window.__xss") is None

    go_online(ctx)
    page.click("[data-action=sync-now]")
    wait_outbox(page, 0, timeout=60)

    token = api_login(server, "worker1")
    data = api_pull_all(server, token)
    visits = [v for v in data.get("visits", {}).values() if v["household_id"] == household_id and v.get("notes") == notes]
    assert len(visits) == 1
    visit = visits[0]
    assert visit["outcome"] == "met"
    assert abs(visit["lat"] - GEO["latitude"]) < 1e-3 and abs(visit["lon"] - GEO["longitude"]) < 1e-3
    assert visit["accuracy_m"] == GEO["accuracy"]
    disputes = [d for d in data.get("disputes", {}).values() if d["title"] == title]
    assert len(disputes) == 1
    assert disputes[0]["risk"] == "red" and household_id in disputes[0]["household_ids"]
    assert disputes[0]["id"] in visit["dispute_ids"]
    shots = [p for p in data.get("photos", {}).values() if p["record"] == {"collection": "visits", "id": visit["id"]}]
    assert len(shots) == 2
    for shot in shots:
        res = httpx.get(f"{server}/api/photos/{shot['id']}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert res.status_code == 200
        assert len(res.content) <= 600 * 1024
        img = Image.open(io.BytesIO(res.content))
        assert max(img.size) <= 1600

    # The screen shows what the server now holds, still as plain text.
    page.reload()
    page.wait_for_selector("[data-action=new-visit]")
    assert page.evaluate("window.__xss") is None
